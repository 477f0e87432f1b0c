using System.Globalization;

namespace DatahubExporter.Exposition;

/// <summary>
/// Reads an HTTP <c>Accept</c> header (RFC 9110 §12.5.1) just far enough to pick one of the formats Prometheus
/// negotiates: OpenMetrics 1.0.0 and 0.0.1, Prometheus text 1.0.0 and 0.0.4. The highest q wins, and on a tie the
/// first of that list. A format's q is that of the most specific range naming it; OpenMetrics and text 1.0.0 count
/// only when named, so a bare <c>*/*</c> (curl, browsers) or <c>text/plain</c> gets text 0.0.4, and so does a header
/// that does not parse or names nothing we write (Prometheus' last resort).
/// </summary>
/// <remarks>
/// <para>Prometheus 3 asks for the 1.0.0 formats with <c>escaping=</c> (<c>allow-utf-8</c>, <c>underscores</c>,
/// <c>dots</c>, <c>values</c>): how a producer writes names outside <c>[a-zA-Z0-9_:]</c>. We never write one
/// (<see cref="MetricNames"/> refuses them), and such names pass every scheme unchanged (client_golang's
/// <c>EscapeMetricFamily</c> leaves legacy-valid names alone), so the body does not depend on the scheme. The
/// Content-Type of a 1.0.0 format names the scheme, as Prometheus' content-negotiation spec requires: the one asked
/// for with that range, else <c>underscores</c> (the spec's default); an unknown scheme is ignored, as expfmt does.</para>
/// <para>Text 1.0.0 adds only quoted UTF-8 names to 0.0.4, and OpenMetrics 0.0.1 and 1.0.0 write our families alike,
/// so two bodies (<see cref="ExpositionFormat"/>) serve every Content-Type.</para>
/// </remarks>
internal static class AcceptNegotiator
{
    /// <summary>What Prometheus may send in <c>escaping=</c>; the Content-Type echoes the one asked for.</summary>
    private static readonly string[] EscapingSchemes = ["underscores", "allow-utf-8", "dots", "values"];

    private static readonly NegotiatedFormat Text004 = new(ExpositionFormat.PrometheusText004, "text/plain; version=0.0.4; charset=utf-8");
    private static readonly NegotiatedFormat OpenMetrics001 =
        new(ExpositionFormat.OpenMetrics100, "application/openmetrics-text; version=0.0.1; charset=utf-8");

    // One per escaping scheme, in the order of EscapingSchemes, so a scrape builds no string.
    private static readonly NegotiatedFormat[] OpenMetrics100 =
        [.. EscapingSchemes.Select(s => new NegotiatedFormat(ExpositionFormat.OpenMetrics100, "application/openmetrics-text; version=1.0.0; charset=utf-8; escaping=" + s))];
    private static readonly NegotiatedFormat[] Text100 =
        [.. EscapingSchemes.Select(s => new NegotiatedFormat(ExpositionFormat.PrometheusText004, "text/plain; version=1.0.0; charset=utf-8; escaping=" + s))];

    public static NegotiatedFormat Negotiate(string? accept)
    {
        if (string.IsNullOrWhiteSpace(accept))
        {
            return Text004;
        }

        Preference om100 = default, om001 = default, omAny = default, text100 = default, text004 = default, textAny = default,
            textWild = default, anyWild = default;
        foreach (var element in accept.Split(','))
        {
            if (string.IsNullOrWhiteSpace(element))
            {
                continue; // RFC 9110 §5.6.1: empty list elements are ignored
            }

            if (!TryParseRange(element, out var type, out var subtype, out var version, out var q, out var escaping))
            {
                return Text004;
            }

            switch (type, subtype, version)
            {
                case ("application", "openmetrics-text", "1.0.0"): om100.Offer(q, escaping); break;
                case ("application", "openmetrics-text", "0.0.1"): om001.Offer(q, escaping); break;
                case ("application", "openmetrics-text", null): omAny.Offer(q, escaping); break;
                case ("text", "plain", "1.0.0"): text100.Offer(q, escaping); break;
                case ("text", "plain", "0.0.4"): text004.Offer(q, escaping); break;
                case ("text", "plain", null): textAny.Offer(q, escaping); break;
                case ("text", "*", _): textWild.Offer(q, escaping); break;
                case ("*", "*", _): anyWild.Offer(q, escaping); break;
                default: break; // protobuf, versions we do not write, other types
            }
        }

        var best = Text004;
        var bestQ = 0m;
        var om100Range = om100.Q is null ? omAny : om100;
        Consider(ref best, ref bestQ, om100Range.Q, OpenMetrics100[SchemeIndex(om100Range.Escaping)]);
        Consider(ref best, ref bestQ, (om001.Q is null ? omAny : om001).Q, OpenMetrics001);
        Consider(ref best, ref bestQ, text100.Q, Text100[SchemeIndex(text100.Escaping)]);
        Consider(ref best, ref bestQ, (text004.Q ?? textAny.Q ?? textWild.Q ?? anyWild.Q), Text004);
        return best;
    }

    /// <summary>Takes <paramref name="offer"/> if its q beats the best so far; the first offer wins a tie.</summary>
    private static void Consider(ref NegotiatedFormat best, ref decimal bestQ, decimal? q, NegotiatedFormat offer)
    {
        if (q > bestQ)
        {
            best = offer;
            bestQ = q.Value;
        }
    }

    private static int SchemeIndex(string? escaping) => escaping is null ? 0 : Array.IndexOf(EscapingSchemes, escaping);

    /// <summary>The highest q given to one media range and the escaping scheme asked with it.</summary>
    private struct Preference
    {
        public decimal? Q;
        public string? Escaping;

        public void Offer(decimal q, string? escaping)
        {
            if (Q is null || q > Q)
            {
                Q = q;
                Escaping = escaping;
            }
        }
    }

    /// <param name="escaping">The scheme as spelled in <see cref="EscapingSchemes"/>, or null when none or an unknown one was asked.</param>
    private static bool TryParseRange(string range, out string type, out string subtype, out string? version, out decimal q, out string? escaping)
    {
        type = subtype = "";
        version = escaping = null;
        q = 1m;
        var parts = range.Split(';');
        var mediaType = parts[0].Trim();
        var slash = mediaType.IndexOf('/');
        if (slash <= 0 || slash == mediaType.Length - 1 || mediaType.IndexOf('/', slash + 1) >= 0 || mediaType.Contains(' '))
        {
            return false;
        }

        type = mediaType[..slash].ToLowerInvariant();
        subtype = mediaType[(slash + 1)..].ToLowerInvariant();
        if (type == "*" && subtype != "*")
        {
            return false;
        }

        for (var i = 1; i < parts.Length; i++)
        {
            var parameter = parts[i].Trim();
            var equals = parameter.IndexOf('=');
            if (equals <= 0)
            {
                return false;
            }

            var name = parameter[..equals].Trim();
            var value = parameter[(equals + 1)..].Trim().Trim('"');
            if (name.Equals("q", StringComparison.OrdinalIgnoreCase))
            {
                if (!TryParseQ(value, out q))
                {
                    return false;
                }
            }
            else if (name.Equals("version", StringComparison.OrdinalIgnoreCase))
            {
                version = value;
            }
            else if (name.Equals("escaping", StringComparison.OrdinalIgnoreCase))
            {
                escaping = Array.Find(EscapingSchemes, s => s.Equals(value, StringComparison.OrdinalIgnoreCase));
            }
        }

        return true;
    }

    /// <summary>qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ).</summary>
    private static bool TryParseQ(string text, out decimal q)
    {
        q = 0m;
        if (text.Length is 0 or > 5 || text[0] is not ('0' or '1') || (text.Length > 1 && text[1] != '.'))
        {
            return false;
        }

        for (var i = 2; i < text.Length; i++)
        {
            if (!char.IsAsciiDigit(text[i]))
            {
                return false;
            }
        }

        q = decimal.Parse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture);
        return q <= 1m;
    }
}
