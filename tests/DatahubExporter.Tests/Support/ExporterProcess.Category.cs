using NUnit.Framework.Interfaces;
using NUnit.Framework.Internal;

namespace DatahubExporter.Tests.Support;

/// <summary>The test project's half of <see cref="ExporterProcess"/> (the soak links only the other file).</summary>
public sealed partial class ExporterProcess
{
    /// <summary>CI's native pass runs only <c>[Category("Binary")]</c> (<see cref="EndToEndFixture.BinaryCategory"/>):
    /// a test outside it that starts the exporter would never meet the NativeAOT binary, so it fails here, in the
    /// ordinary pass, naming the attribute to add. Outside an NUnit test (no current test) nothing is checked.</summary>
    static partial void RequireBinaryCategory()
    {
        ITest? test = TestExecutionContext.CurrentContext.CurrentTest;
        if (test is null || test is TestAssembly)
        {
            return;
        }

        for (var t = test; t is not null; t = t.Parent)
        {
            if (t.Properties[PropertyNames.Category].Contains(EndToEndFixture.BinaryCategory))
            {
                return;
            }
        }

        throw new InvalidOperationException(
            $"{test.FullName} starts the exporter binary but its fixture is not [Category(\"{EndToEndFixture.BinaryCategory}\")] " +
            "(derive from EndToEndFixture or add the attribute): CI's native pass would not run it");
    }
}
