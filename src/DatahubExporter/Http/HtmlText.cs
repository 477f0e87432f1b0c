using System.Text;

namespace DatahubExporter.Http;

/// <summary>The one HTML escaping of the exporter's pages: every value that is not a literal of ours goes through
/// <see cref="Escape"/>, in element text and in double- or single-quoted attribute values alike.</summary>
internal static class HtmlText
{
    /// <summary>
    /// <c>&amp; &lt; &gt; " '</c> become character references, so no value can open a tag, close an attribute or start an
    /// entity. Control characters other than tab and newline (never in an API message after cleaning, but names are
    /// not cleaned) become U+FFFD, as does a lone surrogate, so the page stays well-formed UTF-8 whatever the API sends.
    /// </summary>
    public static string Escape(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return "";
        }

        StringBuilder? builder = null;
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            string? replacement = c switch
            {
                '&' => "&amp;",
                '<' => "&lt;",
                '>' => "&gt;",
                '"' => "&quot;",
                '\'' => "&#39;",
                '\t' or '\n' => null,
                _ when char.IsControl(c) => "\uFFFD",
                _ when char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]) => null,
                _ when char.IsLowSurrogate(c) && i > 0 && char.IsHighSurrogate(value[i - 1]) => null,
                _ when char.IsSurrogate(c) => "\uFFFD",
                _ => null,
            };
            if (replacement is null)
            {
                builder?.Append(c);
                continue;
            }

            builder ??= new StringBuilder(value.Length + 16).Append(value, 0, i);
            builder.Append(replacement);
        }

        return builder?.ToString() ?? value;
    }
}
