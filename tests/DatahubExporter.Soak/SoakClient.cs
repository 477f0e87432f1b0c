using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Net;
using System.Text;

namespace DatahubExporter.Soak;

/// <summary>
/// The scrapers' HTTP side: GETs against the exporter on loopback with the Prometheus timeout header, in three
/// variants (text 0.0.4, OpenMetrics, gzip) so both writers and the compressor stay under load. Never throws for
/// an HTTP failure; every request is bounded by the scrape timeout plus a margin.
/// </summary>
public sealed class SoakClient(Uri baseAddress) : IDisposable
{
    public const string OpenMetricsAccept = "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5";

    /// <summary>How long past its own timeout header a scrape may take before the client gives up.</summary>
    public static readonly TimeSpan ClientMargin = TimeSpan.FromSeconds(5);

    private readonly HttpClient _http = new(new SocketsHttpHandler
    {
        AutomaticDecompression = DecompressionMethods.None,
        PooledConnectionLifetime = TimeSpan.FromMinutes(2),
        ConnectTimeout = TimeSpan.FromSeconds(5),
    })
    {
        Timeout = Timeout.InfiniteTimeSpan,
    };

    public async Task<ScrapeResult> GetAsync(string path, double timeoutSeconds, int variant, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(baseAddress, path));
        request.Headers.TryAddWithoutValidation("X-Prometheus-Scrape-Timeout-Seconds", timeoutSeconds.ToString(CultureInfo.InvariantCulture));
        var gzip = variant % 3 == 2;
        if (variant % 3 == 1)
        {
            request.Headers.TryAddWithoutValidation("Accept", OpenMetricsAccept);
        }
        else if (gzip)
        {
            request.Headers.TryAddWithoutValidation("Accept-Encoding", "gzip");
        }

        using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bound.CancelAfter(TimeSpan.FromSeconds(timeoutSeconds) + ClientMargin);
        var started = Stopwatch.GetTimestamp();
        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, bound.Token).ConfigureAwait(false);
            var bytes = await response.Content.ReadAsByteArrayAsync(bound.Token).ConfigureAwait(false);
            var latency = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            string body;
            if (response.Content.Headers.ContentEncoding.Contains("gzip"))
            {
                using var input = new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress);
                using var output = new MemoryStream();
                await input.CopyToAsync(output, bound.Token).ConfigureAwait(false);
                body = Encoding.UTF8.GetString(output.GetBuffer(), 0, (int)output.Length);
            }
            else
            {
                body = Encoding.UTF8.GetString(bytes);
            }

            var error = gzip && response.StatusCode == HttpStatusCode.OK && !response.Content.Headers.ContentEncoding.Contains("gzip")
                ? "gzip was accepted but the answer was not compressed"
                : null;
            return new ScrapeResult(path, (int)response.StatusCode, latency, body, error);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new ScrapeResult(path, 0, Stopwatch.GetElapsedTime(started).TotalMilliseconds, null, "no answer within the timeout header plus 5 s");
        }
        catch (HttpRequestException e)
        {
            return new ScrapeResult(path, 0, Stopwatch.GetElapsedTime(started).TotalMilliseconds, null, "connection error: " + e.Message);
        }
        catch (InvalidDataException e)
        {
            return new ScrapeResult(path, 0, Stopwatch.GetElapsedTime(started).TotalMilliseconds, null, "bad gzip body: " + e.Message);
        }
    }

    public void Dispose() => _http.Dispose();
}
