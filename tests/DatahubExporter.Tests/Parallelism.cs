// Fixtures run side by side; the tests of one fixture run one after another (they share its fields and SetUp).
// Most of the suite's time is the end-to-end fixtures waiting on child processes, sockets and the product's timers,
// not computing, so more workers than the machine's 2 cores pay off: 4 was measured fastest on a 2-core machine
// (CONTRIBUTING.md "Parallel fixtures"). A fixture that measures something process-wide (memory, CPU, connection
// counts) or whose assertions need the machine to itself is [NonParallelizable], with a comment saying why; NUnit
// runs those alone, after the parallel ones.
[assembly: Parallelizable(ParallelScope.Fixtures)]
[assembly: LevelOfParallelism(4)]
