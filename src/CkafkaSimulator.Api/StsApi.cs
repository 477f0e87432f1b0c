using System.Buffers;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace CkafkaSimulator;

/// <summary>
/// STS <c>AssumeRole</c> (tencent-cloud-api.md §6) on the simulator's address: TC3-signed with service <c>sts</c>
/// by any key the simulator knows (a temporary key sends its token too), for the role of one of
/// <see cref="SimulatorOptions.Accounts"/>, with the <c>ExternalId</c> its trust policy names. Answers that
/// account's temporary keys, or an error envelope as STS does. Recorded like every request.
/// </summary>
internal static class StsApi
{
    public const string Action = "AssumeRole";
    public const string Version = "2018-08-13";

    public static async Task HandleAsync(HttpContext context, SimulatorOptions options, SimulatorState state, Tc3Verifier verifier, byte[] body,
        DateTimeOffset now, string requestId)
    {
        var headers = context.Request.Headers;
        var region = headers["X-TC-Region"].ToString();
        var log = new ReceivedRequest(now, Action, region.Length == 0 ? null : region, null, false, null, null, null, 200, []);
        var auth = verifier.Verify(headers, body, now, "sts");
        log = log with { SecretId = auth.SecretId, SignatureValid = auth.Ok };
        if (!auth.Ok)
        {
            await ErrorAsync(context, state, log, auth.ErrorCode!, auth.Message, requestId);
            return;
        }

        if (headers["X-TC-Version"].ToString() != Version || region.Length == 0)
        {
            await ErrorAsync(context, state, log, "MissingParameter", "AssumeRole needs X-TC-Version 2018-08-13 and X-TC-Region.", requestId);
            return;
        }

        string? roleArn, externalId, sessionName;
        long duration;
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            string? Text(string name) => root.ValueKind == JsonValueKind.Object && root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String
                ? v.GetString() : null;
            (roleArn, externalId, sessionName) = (Text("RoleArn"), Text("ExternalId"), Text("RoleSessionName"));
            duration = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("DurationSeconds", out var d) && d.TryGetInt64(out var n) ? n : 7200;
        }
        catch (JsonException)
        {
            await ErrorAsync(context, state, log, "InvalidParameter", "The request body is not JSON.", requestId);
            return;
        }

        var account = options.Accounts.FirstOrDefault(a => a.RoleArn is not null && a.RoleArn == roleArn);
        var problem =
            sessionName is not { Length: >= 2 and <= 128 } ? ("InvalidParameter.RoleSessionName", "RoleSessionName must have 2 to 128 characters.")
            : duration is < 1 or > 43200 ? ("InvalidParameter.DurationSeconds", "DurationSeconds must be from 1 to 43200.")
            : account is null ? ("InvalidParameter.RoleNotExist", "The role does not exist.")
            : account.ExternalId is { } wanted && wanted != externalId ? ("InvalidParameter.ExternalIdError", "The role's trust policy does not allow this caller.")
            : ((string, string)?)null;
        if (problem is var (code, message))
        {
            await ErrorAsync(context, state, log, code, message, requestId);
            return;
        }

        var key = state.IssueTemporaryKey(account!.RoleKeyLifetime ?? TimeSpan.FromSeconds(duration), account);
        state.Record(log);
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteStartObject("Response");
            w.WriteStartObject("Credentials");
            w.WriteString("Token", key.Token);
            w.WriteString("TmpSecretId", key.SecretId);
            w.WriteString("TmpSecretKey", key.SecretKey);
            w.WriteEndObject();
            w.WriteNumber("ExpiredTime", key.ExpiresAt.ToUnixTimeSeconds());
            w.WriteString("Expiration", key.ExpiresAt.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture));
            w.WriteString("RequestId", requestId);
            w.WriteEndObject();
            w.WriteEndObject();
        }

        await CkafkaApi.WriteAsync(context, 200, "application/json", buffer.WrittenSpan.ToArray());
    }

    private static async Task ErrorAsync(HttpContext context, SimulatorState state, ReceivedRequest log, string code, string message, string requestId)
    {
        state.Record(log with { ErrorCode = code });
        await CkafkaApi.WriteAsync(context, 200, "application/json", ResponseJson.Error(code, message, requestId));
    }
}
