using System.Text.Json;
using CkafkaSimulator;
using Microsoft.AspNetCore.Http;

namespace DatahubExporter.Tests.Support;

/// <summary>
/// STS <c>AssumeRoleWithWebIdentity</c> (tencent-cloud-api.md §6) on loopback: checks the unsigned request
/// (<c>Authorization: SKIP</c>, action, version, region header, JSON body) and that the web-identity token is
/// <see cref="ExpectedToken"/>; answers with keys from <see cref="Issue"/>, or an error envelope. Anything else
/// about the request is a surprise. Thread-safe.
/// </summary>
public sealed class FakeStsService : LoopbackFake
{
    private readonly List<string> _tokensSeen = [];

    private FakeStsService(Func<TemporaryKey> issue)
    {
        Issue = issue;
    }

    public Func<TemporaryKey> Issue { get; set; }

    public string ExpectedRegion { get; set; } = "ap-guangzhou";

    public string ExpectedProviderId { get; set; } = "oidc-provider-1";

    public string ExpectedRoleArn { get; set; } = "qcs::cam::uin/100000000001:roleName/datahub-reader";

    public volatile string ExpectedToken = "";

    /// <summary>When set, every call answers this error code.</summary>
    public volatile string? ErrorCode;

    public IReadOnlyList<string> TokensSeen
    {
        get
        {
            lock (_tokensSeen)
            {
                return [.. _tokensSeen];
            }
        }
    }

    public int Requests => TokensSeen.Count;

    public static Task<FakeStsService> StartAsync(Func<TemporaryKey> issue) => ListenAsync(new FakeStsService(issue));

    protected override async Task HandleAsync(HttpContext context, LoopbackHttpServer server)
    {
        var request = context.Request;
        var headers = request.Headers;
        var problem =
            request.Method != "POST" || request.Path.Value != "/" ? $"{request.Method} {request.Path}"
            : headers.Authorization.ToString() != "SKIP" ? $"Authorization \"{headers.Authorization}\", not SKIP"
            : headers["X-TC-Action"].ToString() != "AssumeRoleWithWebIdentity" ? $"X-TC-Action {headers["X-TC-Action"]}"
            : headers["X-TC-Version"].ToString() != "2018-08-13" ? $"X-TC-Version {headers["X-TC-Version"]}"
            : headers["X-TC-Region"].ToString() != ExpectedRegion ? $"X-TC-Region {headers["X-TC-Region"]}"
            : !long.TryParse(headers["X-TC-Timestamp"].ToString(), out _) ? "no X-TC-Timestamp"
            : request.ContentType != "application/json" ? $"Content-Type {request.ContentType}"
            : null;
        if (problem is not null)
        {
            await server.SurpriseAsync(context, problem);
            return;
        }

        using var body = await JsonDocument.ParseAsync(request.Body);
        var root = body.RootElement;
        string Text(string name) => root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString()! : "";
        var token = Text("WebIdentityToken");
        lock (_tokensSeen)
        {
            _tokensSeen.Add(token);
        }

        problem = Text("ProviderId") != ExpectedProviderId ? "ProviderId"
            : Text("RoleArn") != ExpectedRoleArn ? "RoleArn"
            : Text("RoleSessionName").Length == 0 ? "RoleSessionName"
            : !root.TryGetProperty("DurationSeconds", out var d) || d.GetInt32() is < 1 or > 43200 ? "DurationSeconds"
            : null;
        if (problem is not null)
        {
            await server.SurpriseAsync(context, "body field " + problem);
            return;
        }

        context.Response.ContentType = "application/json";
        var error = ErrorCode ?? (token == ExpectedToken ? null : "InvalidParameter.WebIdentityTokenError");
        if (error is not null)
        {
            await context.Response.WriteAsync(JsonSerializer.Serialize(new
            {
                Response = new { Error = new { Code = error, Message = "the web identity token was not accepted" }, RequestId = Guid.NewGuid().ToString() },
            }));
            return;
        }

        var key = Issue();
        await context.Response.WriteAsync(JsonSerializer.Serialize(new
        {
            Response = new
            {
                Credentials = new { Token = key.Token, TmpSecretId = key.SecretId, TmpSecretKey = key.SecretKey },
                ExpiredTime = key.ExpiresAt.ToUnixTimeSeconds(),
                Expiration = key.ExpiresAt.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ"),
                RequestId = Guid.NewGuid().ToString(),
            },
        }));
    }
}
