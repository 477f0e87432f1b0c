using DatahubExporter.Exposition;

namespace DatahubExporter.Cli;

/// <summary>
/// Every path once, collected concurrently through the engine and written as ONE exposition (the shared
/// families are rendered once with every path's samples), so it is valid for <c>promtool check metrics</c>.
/// </summary>
internal static class OnceCommand
{
    public static async Task<int> RunAsync(ExporterServices services, TextWriter stdout, CancellationToken cancellationToken)
    {
        var answer = await services.Engine.ScrapeAllAsync(services.Options.DefaultScrapeTimeout, cancellationToken).ConfigureAwait(false);
        var body = answer.Body.Payload(ExpositionFormat.PrometheusText004, gzip: false);
        await stdout.WriteAsync(System.Text.Encoding.UTF8.GetString(body.Span)).ConfigureAwait(false);
        await stdout.FlushAsync(cancellationToken).ConfigureAwait(false);
        return answer.AllSucceeded ? Program.ExitOk : Program.ExitFailed;
    }
}
