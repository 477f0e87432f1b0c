using System.Buffers;
using DatahubExporter.Configuration;
using DatahubExporter.TencentCloud;

namespace DatahubExporter.Tests.TencentCloud;

/// <summary>Issue 16 item 4: large answers must not stay in the shared pool (168 MiB RSS after three 40 MiB answers).</summary>
// GC.GetTotalMemory counts every thread's allocations: a fixture running beside this one would be measured with it.
[NonParallelizable]
public class ResponseBuffersTests
{
    private const long Limit = 16L * 1024 * 1024;

    private static readonly ApiCall Call = new(new ApiTarget("ap-guangzhou", new Uri("https://ckafka.example/"), new Credentials("AKIDbuffers0001", "key", null)),
        "DescribeDatahubTasks", "ckafka.example", new Uri("https://ckafka.example/"), new Credentials("AKIDbuffers0001", "key", null));

    [Test]
    public void Three_refused_40_MiB_chunked_answers_leave_no_memory_held()
    {
        var before = GC.GetTotalMemory(forceFullCollection: true);
        for (var i = 0; i < 3; i++)
        {
            var error = Assert.ThrowsAsync<TencentCloudException>(() => BoundedBody.ReadAsync(Call, Chunked(40 << 20), Limit, CancellationToken.None));
            Assert.That(error!.Code, Is.EqualTo("ResponseTooLarge"));
        }

        // Read up to three times against the same baseline, keeping the least: what something else in the process held
        // for a moment (a timer a finished fixture left running) comes and goes, while a buffer kept in the pool is
        // still there at every reading.
        var held = long.MaxValue;
        for (var reading = 0; reading < 3 && held >= 8L << 20; reading++)
        {
            held = Math.Min(held, GC.GetTotalMemory(forceFullCollection: true) - before);
        }

        TestContext.Out.WriteLine($"{held / 1048576.0:F1} MiB still referenced after three refused answers");
        Assert.That(held, Is.LessThan(8L << 20), "the growing buffers went back to the shared pool, which keeps them");
    }

    [Test]
    public async Task A_3_MiB_answer_read_and_returned_is_not_handed_out_by_the_shared_pool_again()
    {
        var (buffer, length) = await BoundedBody.ReadAsync(Call, Chunked(3 << 20), Limit, CancellationToken.None);
        Assert.That(length, Is.EqualTo(3 << 20));

        // Positive control: an array of that size the shared pool does keep is found again by a rent on this thread.
        var probe = ArrayPool<byte>.Shared.Rent(buffer.Length);
        ArrayPool<byte>.Shared.Return(probe);
        var again = ArrayPool<byte>.Shared.Rent(buffer.Length);
        Assert.That(again, Is.SameAs(probe), "the shared pool hands back what it kept, so the check below can see a pooled buffer");
        ArrayPool<byte>.Shared.Return(again);

        ResponseBuffers.Shared.Return(buffer);

        // This thread's slot first, then the shared stacks: twice finds it if it was pooled.
        var first = ArrayPool<byte>.Shared.Rent(buffer.Length);
        var second = ArrayPool<byte>.Shared.Rent(buffer.Length);
        Assert.That(ReferenceEquals(first, buffer) || ReferenceEquals(second, buffer), Is.False);
        ArrayPool<byte>.Shared.Return(first);
        ArrayPool<byte>.Shared.Return(second);
    }

    [Test]
    public async Task Only_buffers_up_to_a_MiB_are_rented_from_or_returned_to_the_pool()
    {
        var pool = new RecordingPool();
        var buffers = new ResponseBuffers(pool);

        Assert.ThrowsAsync<TencentCloudException>(() => BoundedBody.ReadAsync(Call, Chunked(40 << 20), Limit, CancellationToken.None, buffers));
        var (small, _) = await BoundedBody.ReadAsync(Call, Chunked(100_000), Limit, CancellationToken.None, buffers);
        buffers.Return(small);

        Assert.That(pool.Sizes, Is.Not.Empty);
        Assert.That(pool.Sizes, Is.All.LessThanOrEqualTo(ResponseBuffers.MaxPooledBytes));
        Assert.That(pool.Returned, Does.Contain(small.Length), "pages still go back to the pool");
    }

    /// <summary>An answer of <paramref name="length"/> bytes without a Content-Length (as a chunked or decompressed
    /// answer arrives).</summary>
    private static HttpContent Chunked(int length) => new StreamContent(new Generated(length));

    private sealed class Generated(long length) : Stream
    {
        private long _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = (int)Math.Min(Math.Min(count, 64 * 1024), length - _position);
            buffer.AsSpan(offset, n).Fill((byte)'x');

            _position += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    private sealed class RecordingPool : ArrayPool<byte>
    {
        private readonly Lock _gate = new();

        public List<int> Sizes { get; } = [];

        public List<int> Returned { get; } = [];

        public override byte[] Rent(int minimumLength)
        {
            var array = new byte[minimumLength];
            lock (_gate)
            {
                Sizes.Add(array.Length);
            }

            return array;
        }

        public override void Return(byte[] array, bool clearArray = false)
        {
            lock (_gate)
            {
                Sizes.Add(array.Length);
                Returned.Add(array.Length);
            }
        }
    }
}
