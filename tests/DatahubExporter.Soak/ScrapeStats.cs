namespace DatahubExporter.Soak;

/// <summary>What the scrapers saw: answers by path, phase and status, latencies of the load phase, and the
/// problems (invariant violations) found in answers. Thread-safe.</summary>
public sealed class ScrapeStats
{
    public const string Warmup = "warm-up";
    public const string Load = "load";
    public const string Wave = "wave";
    public const string Final = "final";

    private const int KeptProblems = 50;

    private readonly Lock _lock = new();
    private readonly Dictionary<(string Path, string Phase, int Status), long> _answers = [];
    private readonly Dictionary<string, List<double>> _latencies = new(StringComparer.Ordinal);
    private readonly List<string> _problems = [];
    private long _problemCount;

    public long ProblemCount
    {
        get
        {
            lock (_lock)
            {
                return _problemCount;
            }
        }
    }

    public IReadOnlyList<string> Problems
    {
        get
        {
            lock (_lock)
            {
                return _problems.ToArray();
            }
        }
    }

    public void Record(ScrapeResult result, string phase)
    {
        lock (_lock)
        {
            var key = (result.Path, phase, result.Status);
            _answers[key] = _answers.GetValueOrDefault(key) + 1;
            if (phase == Load && result.Status != 0)
            {
                if (!_latencies.TryGetValue(result.Path, out var list))
                {
                    list = [];
                    _latencies[result.Path] = list;
                }

                list.Add(result.LatencyMs);
            }
        }
    }

    /// <summary>Records a violated invariant; the first few are kept verbatim for the report.</summary>
    public void Problem(string text)
    {
        lock (_lock)
        {
            _problemCount++;
            if (_problems.Count < KeptProblems)
            {
                _problems.Add(text);
            }
        }
    }

    public IReadOnlyDictionary<(string Path, string Phase, int Status), long> Answers
    {
        get
        {
            lock (_lock)
            {
                return new Dictionary<(string, string, int), long>(_answers);
            }
        }
    }

    /// <summary>Requests sent to <paramref name="path"/> in every phase, answered or not.</summary>
    public long Sent(string path)
    {
        lock (_lock)
        {
            return _answers.Where(kv => kv.Key.Path == path).Sum(kv => kv.Value);
        }
    }

    /// <summary>Latency percentiles (ms) of the load phase's answered scrapes of <paramref name="path"/>.</summary>
    public (int Count, double P50, double P99, double Max) Latency(string path)
    {
        double[] sorted;
        lock (_lock)
        {
            sorted = _latencies.TryGetValue(path, out var list) ? list.ToArray() : [];
        }

        if (sorted.Length == 0)
        {
            return (0, 0, 0, 0);
        }

        Array.Sort(sorted);
        return (sorted.Length, Percentile(sorted, 0.50), Percentile(sorted, 0.99), sorted[^1]);
    }

    // Nearest-rank percentile: an observed value, never an interpolation.
    private static double Percentile(double[] sorted, double q) => sorted[Math.Clamp((int)Math.Ceiling(q * sorted.Length) - 1, 0, sorted.Length - 1)];
}
