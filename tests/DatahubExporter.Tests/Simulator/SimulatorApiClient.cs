using System.Net.Http.Headers;
using System.Text.Json;
using System.Text;
using CkafkaSimulator;
using DatahubExporter.TencentCloud;
using TencentCloud.Signing;

namespace DatahubExporter.Tests.Simulator;

/// <summary>
/// Signs requests to a <see cref="SimulatorServer"/> with the exporter's own Tc3Signer (pinned by the published
/// vectors in Tc3SignerTests), with knobs to break each part of the signature on purpose.
/// </summary>
internal sealed class SimulatorApiClient(SimulatorServer server) : IDisposable
{
    private readonly HttpClient _http = new() { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };

    public HttpClient Http => _http;

    public HttpRequestMessage Build(SignedCall call)
    {
        var body = Encoding.UTF8.GetBytes(call.Body);
        var timestamp = call.Timestamp ?? DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var host = server.BaseAddress.Authority;
        var signed = new List<KeyValuePair<string, string>> { new("content-type", call.SignedContentType ?? call.ContentType), new("host", host) };
        if (call.SignAction)
        {
            signed.Add(new("x-tc-action", call.Action ?? ""));
        }
        var request = new HttpRequestMessage(HttpMethod.Post, "/") { Content = new ByteArrayContent(call.SentBody is null ? body : Encoding.UTF8.GetBytes(call.SentBody)) };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(call.ContentType);
        var authorization = call.Authorization
            ?? Tc3Signer.Authorization(call.SecretId, call.SecretKey, call.Service, timestamp, signed, body);
        request.Headers.TryAddWithoutValidation("Authorization", authorization);
        AddIfSet(request, "X-TC-Action", call.Action);
        AddIfSet(request, "X-TC-Version", call.Version);
        AddIfSet(request, "X-TC-Region", call.Region);
        AddIfSet(request, "X-TC-Timestamp",
            call.OmitTimestamp ? null : call.TimestampHeader ?? timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
        AddIfSet(request, "X-TC-Token", call.Token);
        return request;
    }

    public async Task<(int Status, string Body)> SendRawAsync(SignedCall call, CancellationToken cancellationToken = default)
    {
        using var request = Build(call);
        using var response = await _http.SendAsync(request, cancellationToken);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync(cancellationToken));
    }

    /// <summary>The "Response" object of a call that must come back as HTTP 200 JSON.</summary>
    public async Task<JsonElement> CallAsync(SignedCall call)
    {
        var (status, body) = await SendRawAsync(call);
        Assert.That(status, Is.EqualTo(200), body);
        using var document = JsonDocument.Parse(body);
        return document.RootElement.GetProperty("Response").Clone();
    }

    public Task<JsonElement> TasksAsync(string body = "{}", string region = "ap-guangzhou") =>
        CallAsync(new SignedCall { Action = "DescribeDatahubTasks", Body = body, Region = region });

    public Task<JsonElement> ResourcesAsync(string body = "{}", string region = "ap-guangzhou") =>
        CallAsync(new SignedCall { Action = "DescribeConnectResources", Body = body, Region = region });

    /// <summary>The error code of an answer, or null for a success.</summary>
    public static string? ErrorCode(JsonElement response) =>
        response.TryGetProperty("Error", out var error) ? error.GetProperty("Code").GetString() : null;

    public async Task<string?> ErrorCodeAsync(SignedCall call) => ErrorCode(await CallAsync(call));

    public void Dispose() => _http.Dispose();

    private static void AddIfSet(HttpRequestMessage request, string name, string? value)
    {
        if (value is not null)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }
    }
}

/// <summary>One signed call; every property defaults to a valid request.</summary>
internal sealed record SignedCall
{
    public string? Action { get; init; } = "DescribeDatahubTasks";
    public string Body { get; init; } = "{}";

    /// <summary>Sent instead of <see cref="Body"/> after signing, to tamper with it.</summary>
    public string? SentBody { get; init; }

    public string? Region { get; init; } = "ap-guangzhou";
    public string? Version { get; init; } = SimulatorOptions.ApiVersion;
    public string SecretId { get; init; } = SimulatorOptions.DemoSecretId;
    public string SecretKey { get; init; } = SimulatorOptions.DemoSecretKey;
    public string Service { get; init; } = "ckafka";
    public long? Timestamp { get; init; }

    /// <summary>Overrides the X-TC-Timestamp header text (empty string: still sent, but empty).</summary>
    public string? TimestampHeader { get; init; }

    public bool OmitTimestamp { get; init; }

    public string ContentType { get; init; } = "application/json";

    /// <summary>The content type to sign, when it should differ from the one sent.</summary>
    public string? SignedContentType { get; init; }

    public bool SignAction { get; init; }
    public string? Token { get; init; }

    /// <summary>A literal Authorization header instead of a computed one.</summary>
    public string? Authorization { get; init; }
}
