using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DatahubExporter.Tests.Support;

/// <summary>
/// A Kestrel server on 127.0.0.1:0 answering every request with one handler: the base of the test fakes of
/// Tencent's credential services. Requests it does not expect are recorded in <see cref="Surprises"/> (and
/// answered 400), so a test can fail loudly on a protocol surprise instead of passing by accident.
/// </summary>
public sealed class LoopbackHttpServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly List<string> _surprises = [];

    private LoopbackHttpServer(WebApplication app, Uri baseAddress)
    {
        _app = app;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    public IReadOnlyList<string> Surprises
    {
        get
        {
            lock (_surprises)
            {
                return [.. _surprises];
            }
        }
    }

    public static async Task<LoopbackHttpServer> StartAsync(Func<HttpContext, LoopbackHttpServer, Task> handle)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.Services.AddLogging(logging => logging.ClearProviders());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(k => k.Listen(System.Net.IPAddress.Loopback, 0));
        var app = builder.Build();
        LoopbackHttpServer? server = null;
        app.Run(context => handle(context, server!));
        await app.StartAsync();
        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server = new LoopbackHttpServer(app, new Uri(bound.TrimEnd('/') + "/"));
        return server;
    }

    /// <summary>Records <paramref name="what"/> and answers 400.</summary>
    public Task SurpriseAsync(HttpContext context, string what)
    {
        lock (_surprises)
        {
            _surprises.Add(what);
        }

        context.Response.StatusCode = 400;
        return context.Response.WriteAsync(what);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(new CancellationTokenSource(TimeSpan.FromSeconds(5)).Token);
        await _app.DisposeAsync();
    }
}

/// <summary>The base of the loopback fakes of Tencent's services: one <see cref="LoopbackHttpServer"/> whose every
/// request goes to <see cref="HandleAsync"/>.</summary>
public abstract class LoopbackFake : IAsyncDisposable
{
    private LoopbackHttpServer _server = null!;

    /// <summary>Where the fake listens, like <c>http://127.0.0.1:41234/</c>.</summary>
    public Uri BaseAddress => _server.BaseAddress;

    /// <summary>Requests the fake did not expect (each answered 400).</summary>
    public IReadOnlyList<string> Surprises => _server.Surprises;

    protected static async Task<T> ListenAsync<T>(T fake)
        where T : LoopbackFake
    {
        fake._server = await LoopbackHttpServer.StartAsync(fake.HandleAsync);
        return fake;
    }

    protected abstract Task HandleAsync(HttpContext context, LoopbackHttpServer server);

    public ValueTask DisposeAsync() => _server.DisposeAsync();
}
