using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CkafkaSimulator;

/// <summary>
/// A look-alike of Tencent Cloud's CKafka API (2019-08-19: DescribeDatahubTasks, DescribeConnectResources,
/// DescribeConnectResource) on a loopback Kestrel port: what the exporter's demo mode serves. It verifies TC3
/// signatures, pages like Tencent and answers errors as HTTP 200 envelopes. Fault injection and the admin API
/// under <c>/_sim/</c> are not here: the full simulator (<c>SimulatorServer</c> in the CkafkaSimulator project,
/// for tests, benchmarks and ckafka_simulator) plugs them in. Loopback only.
/// Disposing stops it promptly, also while requests wait or hang under the full simulator's faults (their
/// connections are dropped).
/// </summary>
public sealed class CkafkaApiServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly CancellationTokenSource _stopping;
    private int _disposed;

    private CkafkaApiServer(WebApplication app, CancellationTokenSource stopping, SimulatorState state, Uri baseAddress)
    {
        _app = app;
        _stopping = stopping;
        State = state;
        BaseAddress = baseAddress;
    }

    /// <summary>e.g. http://127.0.0.1:PORT/ — the API is POST to this address.</summary>
    public Uri BaseAddress { get; }

    /// <summary>Data and counters (and faults, with the full simulator); thread-safe; changes take effect on the next request.</summary>
    public SimulatorState State { get; }

    /// <summary>Starts listening; throws <see cref="ArgumentException"/> for a bad address and
    /// <see cref="IOException"/> when the port is taken.</summary>
    public static Task<CkafkaApiServer> StartAsync(SimulatorOptions options, CancellationToken ct = default) =>
        StartAsync(options, null, null, ct);

    /// <summary>Starts with a <paramref name="planner"/> that shapes accepted requests and a handler for every path
    /// but <c>/</c> (the full simulator's faults and admin API); without a handler those paths answer 404.</summary>
    internal static async Task<CkafkaApiServer> StartAsync(
        SimulatorOptions options, IAnswerPlanner? planner, Func<SimulatorState, RequestDelegate>? otherPaths, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(options);
        var address = ParseAddress(options.ListenAddress);
        if (options.Port is < 0 or > 65535)
        {
            throw new ArgumentException($"port {options.Port} is out of range", nameof(options));
        }

        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.Services.AddLogging(logging => logging.ClearProviders());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(address, options.Port);
        });
        var app = builder.Build();

        var stopping = new CancellationTokenSource();
        var state = new SimulatorState(options) { Planner = planner };
        var api = new CkafkaApi(options, state, stopping.Token);
        var other = otherPaths?.Invoke(state);
        app.Run(context => DispatchAsync(context, api, other));

        try
        {
            await app.StartAsync(ct);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or System.Net.Sockets.SocketException)
        {
            await app.DisposeAsync();
            stopping.Dispose();
            throw;
        }
        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new CkafkaApiServer(app, stopping, state, new Uri(bound.TrimEnd('/') + "/"));
    }

    /// <summary>Stops listening and drops any hanging request; safe to call twice.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        // Cancel hangs and latencies first so that the graceful stop has nothing left to wait for.
        await _stopping.CancelAsync();
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5)))
        {
            await _app.StopAsync(timeout.Token);
        }
        await _app.DisposeAsync();
        _stopping.Dispose();
    }

    private static Task DispatchAsync(HttpContext context, CkafkaApi api, RequestDelegate? other)
    {
        var path = context.Request.Path.Value ?? "";
        if (path == "/")
        {
            // Only POST is simulated (spec §7: the SDKs POST; GET needs query-string signing).
            if (context.Request.Method != HttpMethods.Post)
            {
                context.Response.StatusCode = 405;
                context.Response.Headers.Allow = "POST";
                return Task.CompletedTask;
            }
            return api.HandleAsync(context);
        }
        if (other is not null)
        {
            return other(context);
        }
        context.Response.StatusCode = 404;
        return Task.CompletedTask;
    }

    private static IPAddress ParseAddress(string text)
    {
        if (string.Equals(text, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            return IPAddress.Loopback;
        }
        return IPAddress.TryParse(text.Trim('[', ']'), out var address)
            ? address
            : throw new ArgumentException($"listen address '{text}' is not an IP address", nameof(text));
    }
}
