using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using DatahubExporter.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace DatahubExporter.WebConfig;

/// <summary>Plugs a <see cref="WebConfigWatcher"/> into Kestrel and the request pipeline: TLS on the listener,
/// extra response headers, and bcrypt basic auth. Every connection and request reads
/// <see cref="WebConfigWatcher.Current"/> once, so a reloaded file applies to new connections (certificate,
/// TLS versions, client CA) and new requests (users, headers) without a restart; connections already open
/// keep the certificate they were made with.</summary>
internal static class WebSecurity
{
    /// <summary>The path left open when basic auth is on, so that liveness probes need no password.</summary>
    public const string HealthyPath = Endpoints.HealthyPath;

    /// <summary>The <c>WWW-Authenticate</c> challenge sent with every 401.</summary>
    public const string Challenge = "Basic realm=\"datahub_exporter\"";

    // id-kp-clientAuth (RFC 5280 §4.2.1.12); Go's crypto/tls requires it of client certificates too.
    private static readonly Oid ClientAuthUsage = new("1.3.6.1.5.5.7.3.2");

    /// <summary>Sets up <paramref name="listen"/> for the watcher's config: nothing but the protocol choice when
    /// there is no <c>tls_server_config</c>; otherwise HTTPS whose settings are taken from
    /// <see cref="WebConfigWatcher.Current"/> at every handshake. <c>http2: false</c> limits the listener to
    /// HTTP/1.1. Call once per listener, before the server starts.</summary>
    public static void ConfigureHttps(ListenOptions listen, WebConfigWatcher watcher)
    {
        ArgumentNullException.ThrowIfNull(listen);
        ArgumentNullException.ThrowIfNull(watcher);
        var config = watcher.Current;
        if (config.Tls is null)
        {
            // exporter-toolkit serves HTTP/2 only over TLS; plain listeners keep Kestrel's choice unless
            // http2 is switched off.
            if (!config.Http2)
            {
                listen.Protocols = HttpProtocols.Http1;
            }

            return;
        }

        var http2 = config.Http2;
        listen.Protocols = http2 ? HttpProtocols.Http1AndHttp2 : HttpProtocols.Http1;
        UseQuietHandshakeFailures(listen);
        listen.UseHttps(new TlsHandshakeCallbackOptions
        {
            OnConnection = _ => ValueTask.FromResult(ServerOptions(
                watcher.Current.Tls ?? throw new InvalidOperationException("the web config watcher dropped TLS"), http2)),
        });
    }

    /// <summary>A handshake that fails (a PSK-only client, an unsupported version, a client that hangs up) is
    /// the client's problem and needs no credentials to cause: one debug line with the reason, not Kestrel's
    /// error-level "Unhandled exception" per attempt. Kestrel itself already reports some kinds
    /// (<see cref="AuthenticationException"/>) at debug; this catches the kinds it lets through
    /// (<see cref="NotSupportedException"/> "must use a certificate with the associated private key" for PSK
    /// suites). Goes right before <c>UseHttps</c>, so only the handshake is inside it.</summary>
    private static void UseQuietHandshakeFailures(ListenOptions listen)
    {
        var log = listen.ApplicationServices.GetService(typeof(ILoggerFactory)) is ILoggerFactory factory
            ? factory.CreateLogger("DatahubExporter.Http.Tls")
            : Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
        listen.Use(next => async connection =>
        {
            try
            {
                await next(connection).ConfigureAwait(false);
            }
            // Only the handshake can throw these out of here: once it is done, Kestrel's HTTP layer handles its own errors.
            catch (Exception e) when (e is NotSupportedException or AuthenticationException or IOException or System.ComponentModel.Win32Exception)
            {
                log.LogDebug("TLS handshake failed remote={Remote} reason={Reason}", connection.RemoteEndPoint?.ToString() ?? "",
                    e.InnerException is null ? e.Message : $"{e.Message} ({e.InnerException.Message})");
            }
        });
    }

    /// <summary>Adds the <c>http_server_config.headers</c> of the current config to every response, including
    /// 401s when placed before <see cref="UseExporterBasicAuth"/>.</summary>
    public static IApplicationBuilder UseExporterResponseHeaders(this IApplicationBuilder app, WebConfigWatcher watcher)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(watcher);
        return app.Use((context, next) =>
        {
            foreach (var (name, value) in watcher.Current.Headers)
            {
                context.Response.Headers[name] = value;
            }

            return next(context);
        });
    }

    /// <summary>When the current config has <c>basic_auth_users</c>, every path except
    /// <see cref="HealthyPath"/> needs valid credentials; otherwise the answer is 401 with
    /// <see cref="Challenge"/> and a body that does not say whether the user or the password was wrong.
    /// Malformed <c>Authorization</c> headers get the same 401. When every core is already verifying a password,
    /// credentials that are not in the success cache get 429 with <c>Retry-After: 1</c> at once instead of
    /// queueing. Each refusal is counted in the watcher's <see cref="WebConfigWatcher.AuthFailures"/> and logged at
    /// debug (reason, client address, and the user name only when it is a configured one: a mistyped user name can
    /// be a password). See <see cref="BasicAuthVerifier"/> for caching and equal cost for unknown users.</summary>
    public static IApplicationBuilder UseExporterBasicAuth(this IApplicationBuilder app, WebConfigWatcher watcher)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(watcher);
        var verifier = new BasicAuthVerifier();
        var log = app.ApplicationServices.GetService(typeof(ILoggerFactory)) is ILoggerFactory factory
            ? factory.CreateLogger("DatahubExporter.Http.BasicAuth")
            : Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
        return app.Use(async (context, next) =>
        {
            var config = watcher.Current;
            // Ordinal on purpose: PathString compares case-insensitively, and only the exact path is exempt.
            if (config.BasicAuthUsers.Count == 0 || string.Equals(context.Request.Path.Value, HealthyPath, StringComparison.Ordinal))
            {
                await next(context).ConfigureAwait(false);
                return;
            }

            var header = context.Request.Headers.Authorization;
            string reason;
            string? user = null;
            if (header.Count == 0)
            {
                reason = BasicAuthFailures.Missing;
            }
            else if (!BasicAuthHeader.TryParse(header, out user, out var password))
            {
                reason = BasicAuthFailures.Malformed;
            }
            else
            {
                var outcome = await verifier.CheckAsync(config, user, password, context.RequestAborted).ConfigureAwait(false);
                if (outcome == BasicAuthOutcome.Ok)
                {
                    await next(context).ConfigureAwait(false);
                    return;
                }

                reason = outcome switch
                {
                    BasicAuthOutcome.Busy => BasicAuthFailures.Busy,
                    BasicAuthOutcome.UnknownUser => BasicAuthFailures.UnknownUser,
                    _ => BasicAuthFailures.WrongPassword,
                };
            }

            watcher.AuthFailures.Count(reason);
            if (log.IsEnabled(LogLevel.Debug))
            {
                log.LogDebug("basic auth refused reason={Reason} user={User} remote={Remote} path={Path}", reason,
                    user is not null && config.BasicAuthUsers.ContainsKey(user) ? user : "", context.Connection.RemoteIpAddress?.ToString() ?? "",
                    context.Request.Path.Value ?? "");
            }

            context.Response.ContentType = "text/plain; charset=utf-8";
            if (reason == BasicAuthFailures.Busy)
            {
                context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
                context.Response.Headers.RetryAfter = "1";
                await context.Response.WriteAsync("Too many concurrent login attempts; try again shortly\n", context.RequestAborted).ConfigureAwait(false);
                return;
            }

            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            context.Response.Headers.WWWAuthenticate = Challenge;
            await context.Response.WriteAsync("Unauthorized\n", context.RequestAborted).ConfigureAwait(false);
        });
    }

    /// <summary>Both of the above in the right order: headers first, so that 401s carry them too. This is
    /// the one call a host needs after routing is set up.</summary>
    public static IApplicationBuilder UseExporterWebConfig(this IApplicationBuilder app, WebConfigWatcher watcher) =>
        app.UseExporterResponseHeaders(watcher).UseExporterBasicAuth(watcher);

    /// <summary>The TLS options for one handshake. A new object each time; the certificate context inside
    /// is shared and immutable.</summary>
    internal static SslServerAuthenticationOptions ServerOptions(WebTlsConfig tls, bool http2) => new()
    {
        ServerCertificateContext = tls.CertificateContext,
        EnabledSslProtocols = tls.Protocols,
        // "Required" in .NET only means "ask for one"; the callback below decides what is acceptable.
        ClientCertificateRequired = tls.ClientAuthType != WebClientAuthType.NoClientCert,
        CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
        RemoteCertificateValidationCallback = (_, certificate, chain, _) => AcceptsClientCertificate(tls, certificate, chain),
        ApplicationProtocols = http2 ? [SslApplicationProtocol.Http2, SslApplicationProtocol.Http11] : [SslApplicationProtocol.Http11],
        AllowRenegotiation = false,
    };

    /// <summary>Go's <c>tls.ClientAuthType</c> semantics. The system trust store is never consulted: the
    /// client CA is the only trust anchor.</summary>
    internal static bool AcceptsClientCertificate(WebTlsConfig tls, X509Certificate? certificate, X509Chain? presented) =>
        tls.ClientAuthType switch
        {
            WebClientAuthType.NoClientCert or WebClientAuthType.RequestClientCert => true,
            WebClientAuthType.RequireAnyClientCert => certificate is not null,
            WebClientAuthType.VerifyClientCertIfGiven => certificate is null || ChainsToClientCa(tls, certificate, presented),
            _ => certificate is not null && ChainsToClientCa(tls, certificate, presented),
        };

    private static bool ChainsToClientCa(WebTlsConfig tls, X509Certificate certificate, X509Chain? presented)
    {
        using var chain = new X509Chain();
        var policy = chain.ChainPolicy;
        policy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        policy.CustomTrustStore.AddRange(tls.ClientCertificateAuthorities);
        policy.RevocationMode = X509RevocationMode.NoCheck;
        policy.DisableCertificateDownloads = true;
        policy.ApplicationPolicy.Add(ClientAuthUsage);
        if (presented is not null)
        {
            // Intermediates the client sent; they are only candidates, trust still has to end at the CA.
            policy.ExtraStore.AddRange(presented.ChainPolicy.ExtraStore);
            foreach (var element in presented.ChainElements)
            {
                policy.ExtraStore.Add(element.Certificate);
            }
        }

        var leaf = certificate as X509Certificate2 ?? new X509Certificate2(certificate);
        return chain.Build(leaf);
    }
}
