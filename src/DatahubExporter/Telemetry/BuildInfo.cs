using System.Reflection;
using System.Runtime.InteropServices;

namespace DatahubExporter.Telemetry;

/// <summary>Version, source revision and runtime of this build, read once from the assembly.</summary>
internal static class BuildInfo
{
    private static readonly string Informational =
        typeof(BuildInfo).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";

    /// <summary>e.g. <c>0.1.0</c> (the part before <c>+</c>).</summary>
    public static string Version { get; } = Informational.Split('+')[0];

    /// <summary>The git commit the SDK stamped after <c>+</c>, or <c>unknown</c>.</summary>
    public static string Revision { get; } = Informational.Contains('+') ? Informational[(Informational.IndexOf('+') + 1)..] : "unknown";

    public static string Runtime { get; } = RuntimeInformation.FrameworkDescription;
}
