using DatahubExporter.Configuration;
using DatahubExporter.TencentCloud;

namespace DatahubExporter.Collectors;

/// <summary>The one place an <see cref="ApiTarget"/> is made: where and as whom a region's API is called.</summary>
internal static class ApiTargets
{
    public static ApiTarget For(ExporterConfig config, string region) => new(region, config.EndpointFor(region), config.Credentials) { Account = config.Account };
}
