using System.Globalization;

namespace DatahubExporter.Exposition;

/// <summary>
/// Reads an HTTP <c>Accept</c> header (RFC 9110 §12.5.1) just far enough to pick a format. OpenMetrics
/// is chosen only when the header names <c>application/openmetrics-text</c> explicitly with a q above
/// zero and at least the q that applies to <c>text/plain</c> (its own entry, else <c>text/*</c>, else
/// <c>*/*</c>). A bare <c>*/*</c> (curl, browsers) therefore gets the classic text format, and so does
/// any header that does not parse.
/// </summary>
internal static class AcceptNegotiator
{
    public static ExpositionFormat Negotiate(string? accept)
    {
        if (string.IsNullOrWhiteSpace(accept))
        {
            return ExpositionFormat.PrometheusText004;
        }

        var openMetricsQ = 0m;
        decimal? textPlainQ = null, textAnyQ = null, anyQ = null;
        foreach (var range in accept.Split(','))
        {
            if (string.IsNullOrWhiteSpace(range))
            {
                continue; // RFC 9110 §5.6.1: empty list elements are ignored
            }

            if (!TryParseRange(range, out var type, out var subtype, out var version, out var q))
            {
                return ExpositionFormat.PrometheusText004;
            }

            if (type == "application" && subtype == "openmetrics-text")
            {
                // Prometheus offers 1.0.0 and 0.0.1; both are what we write.
                if (version is null or "1.0.0" or "0.0.1")
                {
                    openMetricsQ = Math.Max(openMetricsQ, q);
                }
            }
            else if (type == "text" && subtype == "plain")
            {
                textPlainQ = Math.Max(textPlainQ ?? 0m, q);
            }
            else if (type == "text" && subtype == "*")
            {
                textAnyQ = Math.Max(textAnyQ ?? 0m, q);
            }
            else if (type == "*" && subtype == "*")
            {
                anyQ = Math.Max(anyQ ?? 0m, q);
            }
        }

        var textQ = textPlainQ ?? textAnyQ ?? anyQ ?? 0m;
        return openMetricsQ > 0m && openMetricsQ >= textQ ? ExpositionFormat.OpenMetrics100 : ExpositionFormat.PrometheusText004;
    }

    private static bool TryParseRange(string range, out string type, out string subtype, out string? version, out decimal q)
    {
        type = subtype = "";
        version = null;
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
