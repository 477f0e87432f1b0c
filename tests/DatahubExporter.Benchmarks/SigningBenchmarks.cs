using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text;
using BenchmarkDotNet.Attributes;
using DatahubExporter.TencentCloud;
using TencentCloud.Signing;

namespace DatahubExporter.Benchmarks;

/// <summary>
/// TC3 signing per request, measured through the public <see cref="TencentCloudClient"/> (the signer itself is
/// internal): one signed call answered from memory against the same POST sent unsigned through the same
/// in-memory handler. The difference is signing, the TC3 headers and the envelope checks. A third row does
/// only the cryptography TC3 prescribes (tencent-cloud-api.md §1.1: two SHA-256, four HMAC-SHA256), written here
/// from the documented steps, to show how much of a signed call is hashing.
/// </summary>
[MemoryDiagnoser]
public class SigningBenchmarks
{
    private static readonly byte[] Answer = Encoding.UTF8.GetBytes("{\"Response\":{\"Result\":{\"TotalCount\":0,\"TaskList\":[]},\"RequestId\":\"bench\"}}");
    private static readonly Uri Endpoint = new("https://ckafka.tencentcloudapi.com/");
    private readonly byte[] _body = BenchTargets.PageBody(0);
    private HttpClient _http = null!;
    private TencentCloudClient _client = null!;

    [GlobalSetup]
    public void Setup()
    {
        _http = new HttpClient(new CannedHandler(Answer));
        _client = BenchTargets.Client(_http);
    }

    [GlobalCleanup]
    public void Cleanup() => _http.Dispose();

    [Benchmark(Baseline = true, Description = "unsigned POST + parse (same in-memory handler)")]
    public async Task<int> UnsignedAsync()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, Endpoint) { Content = new ByteArrayContent(_body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await _http.SendAsync(request);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        using var document = JsonDocument.Parse(bytes);
        return document.RootElement.GetProperty("Response").GetRawText().Length;
    }

    [Benchmark(Description = "TC3 hashing alone, documented steps (reference)")]
    public int HashingOnly()
    {
        const string host = "ckafka.tencentcloudapi.com";
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var date = DateTimeOffset.FromUnixTimeSeconds(timestamp).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var canonical = "POST\n/\n\ncontent-type:application/json\nhost:" + host + "\n\ncontent-type;host\n" + Convert.ToHexStringLower(SHA256.HashData(_body));
        var scope = date + "/ckafka/tc3_request";
        var toSign = "TC3-HMAC-SHA256\n" + timestamp.ToString(CultureInfo.InvariantCulture) + "\n" + scope + "\n" +
                     Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));
        var key = HMACSHA256.HashData(Encoding.UTF8.GetBytes("TC3" + BenchTargets.Credentials.SecretKey), Encoding.UTF8.GetBytes(date));
        key = HMACSHA256.HashData(key, "ckafka"u8);
        key = HMACSHA256.HashData(key, "tc3_request"u8);
        return Convert.ToHexStringLower(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(toSign))).Length;
    }

    [Benchmark(Description = "TencentCloudClient.CallAsync (TC3-signed)")]
    public async Task<int> SignedAsync()
    {
        using var document = await _client.CallAsync(BenchTargets.Target(Endpoint), "DescribeDatahubTasks", _body, CancellationToken.None);
        return document.RootElement.GetRawText().Length;
    }
}
