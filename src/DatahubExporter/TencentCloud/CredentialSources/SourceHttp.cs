using System.Net;
using System.Text;
using System.Text.Json;
using DatahubExporter.Configuration;

namespace DatahubExporter.TencentCloud.CredentialSources;

/// <summary>
/// The HTTP plumbing the two role sources share: one call under a short timeout with a bounded body, and the
/// reading of temporary keys from a JSON object. Every failure becomes a <see cref="CredentialException"/>
/// whose message names <c>what</c> was called and never quotes a key or token.
/// </summary>
internal static class SourceHttp
{
    /// <summary>A role's credentials are a few hundred bytes; more is not a metadata service or STS.</summary>
    private const int MaxBodyBytes = 64 * 1024;

    public static async Task<(HttpStatusCode Status, byte[] Body)> SendAsync(HttpClient http, HttpRequestMessage request, TimeSpan timeout, string what,
        TimeProvider time, CancellationToken cancellationToken)
    {
        using var timer = new CancellationTokenSource(timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timer.Token);
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token).ConfigureAwait(false);
            if (response.Content.Headers.ContentLength > MaxBodyBytes)
            {
                throw new CredentialException($"{what}: answer larger than {MaxBodyBytes} bytes");
            }

            var stream = await response.Content.ReadAsStreamAsync(linked.Token).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                var buffer = new MemoryStream();
                var chunk = new byte[8192];
                int n;
                while ((n = await stream.ReadAsync(chunk, linked.Token).ConfigureAwait(false)) > 0)
                {
                    buffer.Write(chunk, 0, n);
                    if (buffer.Length > MaxBodyBytes)
                    {
                        throw new CredentialException($"{what}: answer larger than {MaxBodyBytes} bytes");
                    }
                }

                return (response.StatusCode, buffer.ToArray());
            }
        }
        // Our timer, or the handler's own ConnectTimeout (which surfaces as a cancellation too): either way the
        // source did not answer. Only the caller's cancellation goes through as such.
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new CredentialException($"{what}: no answer within {timeout.TotalSeconds:0.#} s");
        }
        catch (HttpRequestException e)
        {
            throw new CredentialException($"{what}: {OneLine(e.Message)}", e);
        }
        catch (IOException e)
        {
            throw new CredentialException($"{what}: {OneLine(e.Message)}", e);
        }
    }

    /// <summary>Sends one STS call (OIDC's <c>AssumeRoleWithWebIdentity</c>, <c>AssumeRole</c>) and reads its answer:
    /// the keys of <c>Response.Credentials</c>, or the exception <paramref name="refused"/> makes of
    /// <c>Response.Error</c>'s code and message (the caller masks what the message could echo back).</summary>
    public static async Task<TemporaryCredentials> CallStsAsync(HttpClient http, HttpRequestMessage request, TimeSpan timeout, string what,
        TimeProvider time, DateTimeOffset now, Func<string, string, Exception> refused, CancellationToken cancellationToken)
    {
        var (status, answer) = await SendAsync(http, request, timeout, what, time, cancellationToken).ConfigureAwait(false);
        if (status != HttpStatusCode.OK)
        {
            throw new CredentialException($"{what}: HTTP {(int)status}");
        }

        using var document = ParseJson(answer, what);
        if (!document.RootElement.TryGetProperty("Response", out var response) || response.ValueKind != JsonValueKind.Object)
        {
            throw new CredentialException($"{what}: answer has no Response object");
        }

        if (response.TryGetProperty("Error", out var error) && error.ValueKind == JsonValueKind.Object)
        {
            var code = error.TryGetProperty("Code", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString() ?? "" : "";
            var message = error.TryGetProperty("Message", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() ?? "" : "";
            throw refused(code, message);
        }

        if (!response.TryGetProperty("Credentials", out var keys) || keys.ValueKind != JsonValueKind.Object)
        {
            throw new CredentialException($"{what}: answer has no Credentials object");
        }

        return ReadKeys(keys, response, what, now);
    }

    /// <summary>Reads <c>TmpSecretId</c>, <c>TmpSecretKey</c> and <c>Token</c> from <paramref name="keys"/> and the
    /// Unix-seconds <c>ExpiredTime</c> from <paramref name="expiry"/> (the same object for CVM, two for STS).</summary>
    public static TemporaryCredentials ReadKeys(JsonElement keys, JsonElement expiry, string what, DateTimeOffset now)
    {
        string Text(string name) =>
            keys.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String && v.GetString() is { Length: > 0 } s
                ? IsHeaderSafe(s) ? s : throw new CredentialException($"{what}: {name} holds characters that cannot be sent in a header")
                : throw new CredentialException($"{what}: answer has no {name}");

        var credentials = new Credentials(Text("TmpSecretId"), Text("TmpSecretKey"), Text("Token"));
        if (!expiry.TryGetProperty("ExpiredTime", out var e) || e.ValueKind != JsonValueKind.Number || !e.TryGetInt64(out var seconds)
            || seconds <= 0 || seconds > DateTimeOffset.MaxValue.ToUnixTimeSeconds())
        {
            throw new CredentialException($"{what}: answer has no ExpiredTime in Unix seconds");
        }

        var at = DateTimeOffset.FromUnixTimeSeconds(seconds);
        return at > now ? new TemporaryCredentials(credentials, at)
            : throw new CredentialException($"{what}: the credentials it handed out expired already at {at.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ} (is the clock right?)");
    }

    public static JsonDocument ParseJson(byte[] body, string what)
    {
        try
        {
            var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                document.Dispose();
                throw new CredentialException($"{what}: answer is not a JSON object");
            }

            return document;
        }
        catch (JsonException)
        {
            // The parser's message may quote the body, which may hold a key: say only that it is not JSON.
            throw new CredentialException($"{what}: answer is not valid JSON");
        }
    }

    /// <summary>Server text bound for a message: shortened, one line, printable ASCII only.</summary>
    public static string Clean(string text)
    {
        var sb = new StringBuilder(Math.Min(text.Length, 200));
        foreach (var ch in text.Length > 200 ? text[..200] : text)
        {
            sb.Append(ch is >= ' ' and <= '~' ? ch : ' ');
        }

        return sb.ToString();
    }

    public static bool IsHeaderSafe(string value) => value.All(ch => ch is >= ' ' and <= '~');

    private static string OneLine(string text) => text.ReplaceLineEndings(" ");
}
