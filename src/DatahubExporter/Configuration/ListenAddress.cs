using System.Globalization;
using System.Net;

namespace DatahubExporter.Configuration;

/// <summary>
/// A parsed <c>--web.listen-address</c>: <c>:PORT</c> (every interface), <c>HOST:PORT</c> or <c>[IPv6]:PORT</c>,
/// as Go's <c>net.Listen</c> accepts them. <see cref="Host"/> is null for "every interface".
/// </summary>
internal sealed record ListenAddress(string? Host, int Port)
{
    /// <summary>Parses <paramref name="text"/> or throws <see cref="FormatException"/> with a one-line reason.</summary>
    public static ListenAddress Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var value = text.Trim();
        // "[::1]" is an address without a port; the colon rule below would read "1]" as the port.
        if (value.StartsWith('[') && value.EndsWith(']'))
        {
            throw new FormatException($"invalid listen address \"{text}\": missing port (use {value}:PORT, e.g. {value}:48080)");
        }

        var colon = value.LastIndexOf(':');
        if (colon < 0)
        {
            throw new FormatException($"invalid listen address \"{text}\": missing port (use :PORT, HOST:PORT or [IPv6]:PORT)");
        }

        var host = value[..colon];
        var portText = value[(colon + 1)..];
        if (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port > 65535)
        {
            throw new FormatException($"invalid listen address \"{text}\": port \"{portText}\" is not a number from 0 to 65535");
        }

        if (host.StartsWith('[') || host.EndsWith(']'))
        {
            if (!(host.StartsWith('[') && host.EndsWith(']')) || !IPAddress.TryParse(host[1..^1], out var v6) ||
                v6.AddressFamily != System.Net.Sockets.AddressFamily.InterNetworkV6)
            {
                throw new FormatException($"invalid listen address \"{text}\": \"{host}\" is not a bracketed IPv6 address");
            }

            return new ListenAddress(host[1..^1], port);
        }

        if (host.Contains(':'))
        {
            throw new FormatException($"invalid listen address \"{text}\": IPv6 addresses need brackets, e.g. [::1]:{portText}");
        }

        if (host.Length > 0 && host != "localhost" && !IPAddress.TryParse(host, out _) && Uri.CheckHostName(host) != UriHostNameType.Dns)
        {
            throw new FormatException($"invalid listen address \"{text}\": \"{host}\" is not a host name or IP address");
        }

        return new ListenAddress(host.Length == 0 ? null : host, port);
    }

    public override string ToString() =>
        Host is null ? $":{Port}" : Host.Contains(':') ? $"[{Host}]:{Port}" : $"{Host}:{Port}";
}
