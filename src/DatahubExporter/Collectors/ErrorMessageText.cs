using System.Text;

namespace DatahubExporter.Collectors;

/// <summary>Makes an API <c>ErrorMessage</c> fit for a label value an alert annotation can show.</summary>
internal static class ErrorMessageText
{
    public const int MaxChars = 200;

    /// <summary>
    /// Whitespace runs (newlines and tabs included) become one space, other control characters go, the ends
    /// are trimmed, and the result is cut to <see cref="MaxChars"/> UTF-16 units without splitting a
    /// surrogate pair. Label values stay bounded however long the API's message is.
    /// </summary>
    public static string Clean(string? message)
    {
        if (string.IsNullOrEmpty(message))
        {
            return "";
        }

        var builder = new StringBuilder(Math.Min(message.Length, MaxChars + 1));
        var pendingSpace = false;
        foreach (var c in message)
        {
            if (char.IsWhiteSpace(c))
            {
                pendingSpace = builder.Length > 0;
                continue;
            }

            if (char.IsControl(c))
            {
                continue;
            }

            if (pendingSpace)
            {
                builder.Append(' ');
                pendingSpace = false;
            }

            builder.Append(c);
            if (builder.Length > MaxChars)
            {
                break;
            }
        }

        if (builder.Length <= MaxChars)
        {
            return builder.ToString();
        }

        var cut = char.IsHighSurrogate(builder[MaxChars - 1]) ? MaxChars - 1 : MaxChars;
        return builder.ToString(0, cut).TrimEnd();
    }
}
