using System.Text;
using DatahubExporter.Configuration;
using DatahubExporter.Telemetry;

namespace DatahubExporter.TencentCloud;

/// <summary>Text a server sent that goes into an exception message (and from there into logs).</summary>
internal static class ServerText
{
    private const int MaxMessageChars = 512;

    /// <summary>Server text bound for exception messages: shortened, control characters replaced, the
    /// SecretKey and token masked in case a server ever echoes them, and the SecretId masked as it is
    /// everywhere else. Masked before shortening, so a secret cut in half at the end cannot slip through.</summary>
    public static string Clean(Credentials credentials, string text)
    {
        text = SecretScrubber.Mask(text, credentials);
        if (text.Length > MaxMessageChars)
        {
            text = text[..MaxMessageChars] + "…";
        }
        var sb = new StringBuilder(text.Length);
        foreach (var ch in text)
        {
            sb.Append(char.IsControl(ch) ? ' ' : ch);
        }
        return sb.ToString();
    }
}
