using DatahubExporter.Configuration;
using Microsoft.Extensions.Logging;

namespace DatahubExporter.WebConfig;

/// <summary>Holds the current <see cref="WebConfigFile"/> and re-reads the file, and the certificate, key and CA
/// files it names, by the rules of <see cref="ReloadableFile{T}"/>, the same as the INI file: on SIGHUP
/// (<see cref="Reload"/>) and when one of them changed (<see cref="ReloadIfChanged"/>, every second while serving).</summary>
/// <remarks>
/// <para>A new file that does not load (bad YAML, half-written certificate, ...) is refused: the previous config
/// stays in force until the files change again or SIGHUP, and <see cref="ReloadableFile{T}"/> logs it
/// (<c>web config reload failed, keeping the previous web config err=…</c>), as it logs a new version taken
/// (<c>web config reloaded path=…</c>). A reload may not switch TLS on or off, since the listener was set up for
/// one or the other, nor drop the last <c>basic_auth_users</c> entry (fail closed: an emptied file must not open
/// the exporter): both are refused the same way. A change of <c>http2</c> is applied only at the next start
/// (logged as a warning).</para>
/// <para>Thread-safe. <see cref="Current"/> returns an immutable snapshot; callers should read it once per
/// request or connection and use that snapshot throughout.</para>
/// </remarks>
internal sealed class WebConfigWatcher : ReloadableHolder<WebConfigFile>
{
    /// <summary>Starts from an already loaded <paramref name="initial"/> config. With
    /// <see cref="WebConfigFile.Empty"/> (no <c>--web.config.file</c>) nothing is ever re-read.</summary>
    /// <param name="logger">Gets the reloads' lines.</param>
    public WebConfigWatcher(WebConfigFile initial, ILogger logger, TimeProvider timeProvider)
        : base(initial, Watch(initial, logger, timeProvider), timeProvider)
    {
    }

    /// <summary>Basic-auth refusals of the server this config protects, for <c>/metrics</c>.</summary>
    public BasicAuthFailures AuthFailures { get; } = new();

    /// <summary>Loads <paramref name="path"/> (or uses <see cref="WebConfigFile.Empty"/> when it is null) and
    /// watches it.</summary>
    /// <exception cref="WebConfigException">The file is bad at startup.</exception>
    public static WebConfigWatcher Load(string? path, ILogger logger, TimeProvider time) =>
        new(path is null ? WebConfigFile.Empty : WebConfigFile.Load(path), logger, time);

    private static ReloadableFile<WebConfigFile>? Watch(WebConfigFile initial, ILogger logger, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(initial);
        ArgumentNullException.ThrowIfNull(logger);
        if (initial.Path is not { } path)
        {
            return null;
        }

        var tlsAtStart = initial.Tls is not null;
        return new ReloadableFile<WebConfigFile>(initial, path, static c => c.Files, previous => LoadNext(path, previous, tlsAtStart),
            new ReloadLog<WebConfigFile>(logger, "web config", "path={Path}", static c => [c.Path]), time,
            (_, next) =>
            {
                if (next.Http2 != initial.Http2)
                {
                    logger.LogWarning("web config http_server_config.http2 changed; it applies after a restart");
                }
            });
    }

    private static WebConfigFile LoadNext(string path, WebConfigFile old, bool tlsAtStart)
    {
        var next = WebConfigFile.Load(path);
        if ((next.Tls is not null) != tlsAtStart)
        {
            throw new WebConfigException($"web config {path}: tls_server_config: switching TLS {(tlsAtStart ? "off" : "on")} needs a restart");
        }

        // Fail closed: an emptied or half-saved file must not open the exporter to everyone. Adding users is
        // fine; removing the last one is a deliberate act that takes a restart.
        if (old.BasicAuthUsers.Count > 0 && next.BasicAuthUsers.Count == 0)
        {
            throw new WebConfigException(
                $"web config {path}: basic_auth_users: the new file has no users, which would switch basic auth off; that needs a restart");
        }

        return next;
    }
}
