using System.Net.Sockets;
using System.Text;

namespace DatahubExporter.Tests.EndToEnd;

/// <summary>
/// Hostile clients against the running binary on raw sockets: huge headers, garbage, a slow-loris client and a
/// burst of connections. Each must be refused cleanly and the server must keep answering everyone else
/// (exporter.md "No failure, however malformed the input, takes the process down").
/// </summary>
public class HttpHardeningTests : EndToEndFixture
{
    private ExporterProcess _exporter = null!;
    private HttpClient _http = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _exporter = await ExporterProcess.StartServerAsync(["--demo", "--web.listen-address=127.0.0.1:0"]);
        _http = Http();
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        _http.Dispose();
        var stderr = _exporter.Stderr;
        await _exporter.DisposeAsync();
        AssertNoStackTrace(stderr, "exporter logs after hostile clients");
    }

    [TearDown]
    public async Task StillServingAsync()
    {
        Assert.That(_exporter.HasExited, Is.False, "the exporter died");
        Assert.That(await GetAsync(_http, _exporter.BaseAddress, "/-/healthy"), Is.EqualTo("Healthy\n"));
    }

    [Test]
    public async Task A_64_KiB_header_gets_431()
    {
        var request = Encoding.ASCII.GetBytes($"GET /-/healthy HTTP/1.1\r\nHost: x\r\nX-Big: {new string('a', 64 * 1024)}\r\nConnection: close\r\n\r\n");
        var answer = await RawAsync(request);
        Assert.That(answer, Does.StartWith("HTTP/1.1 431 "));
    }

    [Test]
    public async Task Many_headers_adding_up_past_the_limit_get_431()
    {
        var headers = string.Concat(Enumerable.Range(0, 2000).Select(i => $"X-H{i}: {new string('v', 20)}\r\n"));
        var answer = await RawAsync(Encoding.ASCII.GetBytes($"GET /metrics HTTP/1.1\r\nHost: x\r\n{headers}Connection: close\r\n\r\n"));
        Assert.That(answer, Does.StartWith("HTTP/1.1 431 "));
    }

    [Test]
    public async Task A_request_line_of_16_KiB_is_refused()
    {
        var answer = await RawAsync(Encoding.ASCII.GetBytes($"GET /{new string('p', 16 * 1024)} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
        Assert.That(answer, Does.StartWith("HTTP/1.1 414 ").Or.StartWith("HTTP/1.1 400 "));
    }

    public static IEnumerable<TestCaseData> Garbage()
    {
        var random = new Random(20240601);
        var noise = new byte[2048];
        random.NextBytes(noise);
        yield return new TestCaseData(noise.Concat("\r\n\r\n"u8.ToArray()).ToArray(), "400").SetName("Garbage_random_bytes_get_400");
        yield return new TestCaseData(new byte[] { 0x16, 0x03, 0x01, 0x00, 0xa5, 0x01, 0x00, 0x00, 0xa1, 0x03, 0x03 }.Concat(new byte[200]).ToArray(), "400")
            .SetName("Garbage_tls_hello_on_plain_http_gets_400");
        yield return new TestCaseData(new byte[64].Concat("\r\n\r\n"u8.ToArray()).ToArray(), "400").SetName("Garbage_nul_bytes_get_400");
        yield return new TestCaseData("GET /metrics\u00ff\u0001 HTTP/1.1\r\nHost: x\r\n\r\n"u8.ToArray(), "400").SetName("Garbage_control_bytes_in_target_get_400");
        yield return new TestCaseData("GET /metrics HTTP/1.1\r\nHost: x\r\nBad Header Name: y\r\n\r\n"u8.ToArray(), "400").SetName("Garbage_space_in_header_name_gets_400");
        yield return new TestCaseData("GET /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n"u8.ToArray(), "400").SetName("Garbage_negative_content_length_gets_400");
        yield return new TestCaseData("GET / HTTP/9.9\r\nHost: x\r\n\r\n"u8.ToArray(), "505").SetName("Garbage_unknown_http_version_gets_505");
    }

    [TestCaseSource(nameof(Garbage))]
    public async Task Garbage_is_answered_with_an_error_status(byte[] bytes, string status)
    {
        var answer = await RawAsync(bytes);
        Assert.That(answer, Does.StartWith($"HTTP/1.1 {status} "));
    }

    [Test]
    public async Task A_slow_client_is_cut_off_at_the_header_timeout_while_scrapes_go_on()
    {
        // Kestrel's header timeout is 10 s (ExporterHost); one byte every 500 ms (the slow client's pace, not a wait
        // for anything) would take 40 s to finish.
        using var slow = new TcpClient();
        await slow.ConnectAsync(_exporter.BaseAddress.Host, _exporter.BaseAddress.Port);
        var stream = slow.GetStream();
        var header = Encoding.ASCII.GetBytes("GET /-/healthy HTTP/1.1\r\nHost: x\r\nX-Slow: " + new string('s', 80) + "\r\n\r\n");
        var scrapes = 0;
        string? cutOff = null;
        for (var i = 0; i < header.Length && cutOff is null; i++)
        {
            try
            {
                // Checked before each byte, so an answer is read before a write into a closed socket could reset it.
                if (slow.Client.Poll(0, SelectMode.SelectRead))
                {
                    // Readable means the server answered or closed: either way it gave up on us. What it said tells why.
                    var answer = new byte[256];
                    var n = await stream.ReadAsync(answer).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
                    cutOff = Encoding.ASCII.GetString(answer, 0, n);
                    break;
                }

                await stream.WriteAsync(header.AsMemory(i, 1));
                await Task.Delay(500);
            }
            catch (IOException e)
            {
                cutOff = $"reset: {e.Message}";
            }

            if (i % 4 == 0)
            {
                var text = await GetAsync(_http, _exporter.BaseAddress, TasksPath);
                Assert.That(text, Does.Contain("datahub_task_status{"), "other scrapes are served while the slow client dawdles");
                scrapes++;
            }
        }

        Assert.That(cutOff, Is.Not.Null, "the slow client was never disconnected");
        Assert.That(cutOff, Does.StartWith("HTTP/1.1 408 "), "cut off by the request header timeout, not refused for another reason");
        Assert.That(scrapes, Is.GreaterThanOrEqualTo(3));
    }

    [Test]
    public async Task Two_hundred_concurrent_connections_are_all_answered_or_cleanly_refused()
    {
        const int connections = 200;
        var outcomes = await Task.WhenAll(Enumerable.Range(0, connections).Select(async i =>
        {
            var path = i % 2 == 0 ? "/-/healthy" : TasksPath;
            try
            {
                var answer = await RawAsync(Encoding.ASCII.GetBytes($"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"), TimeSpan.FromSeconds(60));
                return answer.StartsWith("HTTP/1.1 200 ", StringComparison.Ordinal) ? "answered"
                    : answer.Length == 0 || answer.StartsWith("HTTP/1.1 503 ", StringComparison.Ordinal) ? "refused"
                    : "odd: " + answer[..Math.Min(40, answer.Length)];
            }
            catch (SocketException)
            {
                return "refused";
            }
            catch (IOException)
            {
                return "refused";
            }
            catch (OperationCanceledException)
            {
                return "hung";
            }
        }));
        var tally = outcomes.GroupBy(o => o).ToDictionary(g => g.Key, g => g.Count());
        Assert.That(tally.Keys, Is.SubsetOf(new[] { "answered", "refused" }), string.Join(", ", tally.Select(kv => $"{kv.Key}={kv.Value}")));
        Assert.That(tally.GetValueOrDefault("answered"), Is.GreaterThan(connections / 2), "most of a burst within the connection limit is answered");
    }

    /// <summary>Sends <paramref name="request"/> and reads the answer until the server closes (bounded); a send the
    /// server cut short still gets its answer read.</summary>
    private async Task<string> RawAsync(byte[] request, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(20));
        using var client = new TcpClient();
        await client.ConnectAsync(_exporter.BaseAddress.Host, _exporter.BaseAddress.Port, cts.Token);
        var stream = client.GetStream();
        try
        {
            await stream.WriteAsync(request, cts.Token);
        }
        catch (IOException)
        {
            // The server may answer and close before a huge request is fully sent.
        }

        var answer = new MemoryStream();
        var buffer = new byte[8192];
        try
        {
            int n;
            while ((n = await stream.ReadAsync(buffer, cts.Token)) > 0 && answer.Length < 1024 * 1024)
            {
                answer.Write(buffer, 0, n);
            }
        }
        catch (IOException) when (answer.Length > 0)
        {
            // A reset after the answer arrived: the answer stands.
        }

        return Encoding.Latin1.GetString(answer.ToArray());
    }
}
