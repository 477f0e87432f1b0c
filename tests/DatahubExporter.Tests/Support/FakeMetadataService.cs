using System.Text.Json;
using CkafkaSimulator;
using Microsoft.AspNetCore.Http;

namespace DatahubExporter.Tests.Support;

/// <summary>
/// The CVM metadata service's CAM role paths (tencent-cloud-api.md §6) on loopback: the bound role's name at
/// <c>/latest/meta-data/cam/security-credentials/</c>, its temporary keys (issued by <see cref="Issue"/>, usually
/// the simulator's <see cref="SimulatorState.IssueTemporaryKey"/>) at <c>…/&lt;role&gt;</c>. Set
/// <see cref="Answer"/> to make it fail. Counts what it was asked. Thread-safe.
/// </summary>
public sealed class FakeMetadataService : LoopbackFake
{
    public const string ListPath = "/latest/meta-data/cam/security-credentials/";

    private int _roleRequests;
    private int _credentialRequests;

    private FakeMetadataService(Func<TemporaryKey> issue)
    {
        Issue = issue;
    }

    public enum Behaviour
    {
        Healthy,
        ServerError,
        NoRole,
    }

    public string RoleName { get; set; } = "datahub-reader";

    public Func<TemporaryKey> Issue { get; set; }

    public volatile Behaviour Answer = Behaviour.Healthy;

    /// <summary>When set, every request is counted, then waits until this completes (or the caller gives up) before
    /// it is answered: a metadata service that holds its answer.</summary>
    public volatile TaskCompletionSource? Held;

    public int RoleRequests => Volatile.Read(ref _roleRequests);

    public int CredentialRequests => Volatile.Read(ref _credentialRequests);

    public int Requests => RoleRequests + CredentialRequests;

    /// <summary>The keys handed out so far, newest last.</summary>
    public List<TemporaryKey> Issued { get; } = [];

    public static Task<FakeMetadataService> StartAsync(Func<TemporaryKey> issue) => ListenAsync(new FakeMetadataService(issue));

    protected override async Task HandleAsync(HttpContext context, LoopbackHttpServer server)
    {
        var path = context.Request.Path.Value ?? "";
        if (context.Request.Method != "GET" || !path.StartsWith(ListPath, StringComparison.Ordinal))
        {
            await server.SurpriseAsync(context, $"{context.Request.Method} {path}");
            return;
        }

        var role = path[ListPath.Length..];
        Interlocked.Increment(ref role.Length == 0 ? ref _roleRequests : ref _credentialRequests);
        if (Held is { } held)
        {
            try
            {
                await held.Task.WaitAsync(context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                return; // the exporter's own timeout gave up first
            }
        }

        switch (Answer)
        {
            case Behaviour.ServerError:
                context.Response.StatusCode = 500;
                return;
            case Behaviour.NoRole:
                context.Response.StatusCode = 404;
                return;
        }

        if (role.Length == 0)
        {
            await context.Response.WriteAsync(RoleName);
            return;
        }

        if (role != RoleName)
        {
            context.Response.StatusCode = 404;
            return;
        }

        var key = Issue();
        lock (Issued)
        {
            Issued.Add(key);
        }

        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["TmpSecretId"] = key.SecretId,
            ["TmpSecretKey"] = key.SecretKey,
            ["ExpiredTime"] = key.ExpiresAt.ToUnixTimeSeconds(),
            ["Expiration"] = key.ExpiresAt.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ"),
            ["Token"] = key.Token,
            ["Code"] = "Success",
        }));
    }
}
