using DatahubExporter.Configuration;

namespace DatahubExporter.TencentCloud.CredentialSources;

/// <summary>
/// The SDKs' profile file (tencent-cloud-api.md §6): INI, section <c>[default]</c>, keys <c>secret_id</c> and
/// <c>secret_key</c>. Read like Go's parser: lines trimmed, <c>#</c> and <c>;</c> lines are comments, values
/// trimmed and kept as written (quotes are not stripped); other sections and keys are ignored, because the
/// same file serves tccli and the SDKs, which know more keys.
/// </summary>
internal static class ProfileFile
{
    private const long MaxFileBytes = 1024 * 1024;

    /// <summary>The <c>[default]</c> key pair of <paramref name="path"/>; a <see cref="ConfigException"/> naming the
    /// file when it cannot be read or lacks a key.</summary>
    public static Credentials Read(string path)
    {
        string text;
        try
        {
            // A FIFO at the path would block the read (and start-up, --config.check or a reload) forever.
            RegularFile.Require(path, what => new ConfigException($"{path}: {what}, not a regular file"));
            var info = new FileInfo(path);
            if (info.Length > MaxFileBytes)
            {
                throw new ConfigException($"{path}: file too large ({info.Length} bytes; a credentials file is at most 1 MiB)");
            }

            text = File.ReadAllText(path);
        }
        catch (UnauthorizedAccessException)
        {
            throw new ConfigException($"{path}: cannot read file: permission denied");
        }
        catch (IOException e)
        {
            throw new ConfigException($"{path}: cannot read file: {e.Message.ReplaceLineEndings(" ")}");
        }

        string? section = null, id = null, key = null;
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] is '#' or ';')
            {
                continue;
            }

            if (line[0] == '[' && line[^1] == ']')
            {
                section = line[1..^1].Trim();
                continue;
            }

            var eq = line.IndexOf('=');
            if (section != "default" || eq < 0)
            {
                continue;
            }

            var name = line[..eq].Trim();
            var value = line[(eq + 1)..].Trim();
            if (name == "secret_id")
            {
                id = value;
            }
            else if (name == "secret_key")
            {
                key = value;
            }
        }

        return id is not { Length: > 0 } ? throw new ConfigException($"{path}: missing key \"secret_id\" in [default]")
            : key is not { Length: > 0 } ? throw new ConfigException($"{path}: missing key \"secret_key\" in [default]")
            : new Credentials(id, key, null);
    }
}
