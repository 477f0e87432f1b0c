namespace CkafkaSimulator;

/// <summary>
/// The live state of a <see cref="CkafkaApiServer"/>: the data each region serves, the temporary keys it
/// accepts and the request counters (the full simulator adds faults). Thread-safe (one lock); every change
/// takes effect on the next request that arrives, never on one already being answered.
/// </summary>
public sealed partial class SimulatorState
{
    private readonly object _gate = new();
    private readonly TimeProvider _time;
    private readonly int _logCapacity;
    private SimulatorDataSet _data;
    private readonly Dictionary<string, SimulatorDataSet> _regionData;
    private readonly Dictionary<string, TemporaryKey> _temporaryKeys = new(StringComparer.Ordinal);
    private long _temporaryKeysIssued; // numbers the ids, so a log shows which issue it was

    /// <summary>The simulator's clock (<see cref="SimulatorOptions.Time"/>).</summary>
    internal TimeProvider Time => _time;

    /// <summary>The full simulator's faults; null in the look-alike alone.</summary>
    internal IAnswerPlanner? Planner { get; init; }

    internal SimulatorState(SimulatorOptions options)
    {
        _time = options.Time;
        _logCapacity = Math.Max(0, options.RequestLogCapacity);
        _data = options.DataSet;
        _regionData = new Dictionary<string, SimulatorDataSet>(options.RegionDataSets, StringComparer.Ordinal);
    }

    /// <summary>Issues fresh temporary credentials valid for <paramref name="lifetime"/> from now (random values, so a
    /// test can tell each issue apart). The fakes of the CVM metadata service and STS hand these out.</summary>
    public TemporaryKey IssueTemporaryKey(TimeSpan lifetime) => IssueTemporaryKey(lifetime, null);

    /// <summary>As <see cref="IssueTemporaryKey(TimeSpan)"/>, the keys signing as <paramref name="account"/> (STS <c>AssumeRole</c>).</summary>
    public TemporaryKey IssueTemporaryKey(TimeSpan lifetime, SimulatedAccount? account)
    {
        lock (_gate)
        {
            var n = ++_temporaryKeysIssued;
            var key = new TemporaryKey($"AKIDtmp{n:D4}{Guid.NewGuid():N}", $"tmpKey{Guid.NewGuid():N}", $"tmpToken{Guid.NewGuid():N}{Guid.NewGuid():N}",
                _time.GetUtcNow() + lifetime, account);
            _temporaryKeys[key.SecretId] = key;
            return key;
        }
    }

    /// <summary>Makes a temporary SecretId unknown at once, as if the role had been unbound. False when it was not issued.</summary>
    public bool RevokeTemporaryKey(string secretId)
    {
        lock (_gate)
        {
            return _temporaryKeys.Remove(secretId);
        }
    }

    internal TemporaryKey? FindTemporaryKey(string secretId)
    {
        lock (_gate)
        {
            return _temporaryKeys.GetValueOrDefault(secretId);
        }
    }

    /// <summary>The data <paramref name="region"/> serves to a caller of <paramref name="account"/> (null: the default account).</summary>
    public SimulatorDataSet Data(SimulatedAccount? account, string region) => account is null ? Data(region) : account.DataSet;

    /// <summary>The data <paramref name="region"/> serves now.</summary>
    public SimulatorDataSet Data(string region)
    {
        lock (_gate)
        {
            return _regionData.GetValueOrDefault(region) ?? _data;
        }
    }

    /// <summary>Replaces the data of one region, or with a null region the default data (regions with their own data keep it).</summary>
    public void SetData(SimulatorDataSet data, string? region = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        lock (_gate)
        {
            if (region is null)
            {
                _data = data;
            }
            else
            {
                _regionData[region] = data;
            }
        }
    }

    /// <summary>Sets a task's status everywhere, or in one region only (that region then gets its own copy of the data).</summary>
    /// <returns>False when no such task exists where it was looked for.</returns>
    public bool SetTaskStatus(string taskId, long status, string? region = null, string? errorMessage = null) =>
        UpdateTask(taskId, t => t with { Status = status, ErrorMessage = errorMessage ?? t.ErrorMessage }, region);

    /// <summary>Sets a resource's status; same region rules as <see cref="SetTaskStatus"/>.</summary>
    public bool SetResourceStatus(string resourceId, long status, string? region = null, string? errorMessage = null) =>
        UpdateResource(resourceId, r => r with { Status = status, ErrorMessage = errorMessage ?? r.ErrorMessage }, region);

    /// <summary>Replaces a task by <paramref name="change"/>'s result, or removes it when that is null.</summary>
    public bool UpdateTask(string taskId, Func<SimulatedTask, SimulatedTask?> change, string? region = null)
    {
        ArgumentNullException.ThrowIfNull(change);
        return Update(region, data =>
            Changed(data.Tasks, t => t.TaskId == taskId, change) is { } tasks ? new SimulatorDataSet(tasks, data.Resources) : null);
    }

    /// <summary>Replaces a resource by <paramref name="change"/>'s result, or removes it when that is null.</summary>
    public bool UpdateResource(string resourceId, Func<SimulatedResource, SimulatedResource?> change, string? region = null)
    {
        ArgumentNullException.ThrowIfNull(change);
        return Update(region, data =>
            Changed(data.Resources, r => r.ResourceId == resourceId, change) is { } resources ? new SimulatorDataSet(data.Tasks, resources) : null);
    }

    /// <summary>A copy of <paramref name="items"/> with the first match replaced by <paramref name="change"/>'s
    /// result (removed when null); null when nothing matches.</summary>
    private static List<T>? Changed<T>(IReadOnlyList<T> items, Func<T, bool> match, Func<T, T?> change)
        where T : class
    {
        var index = IndexOf(items, match);
        if (index < 0)
        {
            return null;
        }
        var copy = items.ToList();
        if (change(copy[index]) is { } changed)
        {
            copy[index] = changed;
        }
        else
        {
            copy.RemoveAt(index);
        }
        return copy;
    }

    private bool Update(string? region, Func<SimulatorDataSet, SimulatorDataSet?> change)
    {
        lock (_gate)
        {
            if (region is not null)
            {
                var changed = change(_regionData.GetValueOrDefault(region) ?? _data);
                if (changed is not null)
                {
                    _regionData[region] = changed;
                }
                return changed is not null;
            }
            var found = false;
            if (change(_data) is { } newDefault)
            {
                _data = newDefault;
                found = true;
            }
            foreach (var key in _regionData.Keys.ToArray())
            {
                if (change(_regionData[key]) is { } newRegion)
                {
                    _regionData[key] = newRegion;
                    found = true;
                }
            }
            return found;
        }
    }

    private static int IndexOf<T>(IReadOnlyList<T> items, Func<T, bool> predicate)
    {
        for (var i = 0; i < items.Count; i++)
        {
            if (predicate(items[i]))
            {
                return i;
            }
        }
        return -1;
    }
}
