using System.Globalization;

namespace DatahubExporter.Soak;

/// <summary>Resident memory of another process, read from <c>/proc/PID/status</c> (Linux only).</summary>
public static class ProcessMemory
{
    /// <summary>VmRSS in bytes, or null when the process is gone or /proc is not there.</summary>
    public static long? ResidentBytes(int pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                // "VmRSS:	   51234 kB"
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    var parts = line["VmRSS:".Length..].Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    return long.Parse(parts[0], CultureInfo.InvariantCulture) * 1024;
                }
            }
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }

        return null;
    }
}
