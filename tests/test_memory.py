"""The builder refuses models too large to allocate, with a flag to raise the limit."""

from __future__ import annotations

import pytest

import mncost
from mncost.core import memory
from mncost.core.errors import ConfigError


class TestMemoryGuard:
    """memory_estimate is float32 weights + BN buffers + the largest layer's input + output."""

    def test_estimate_for_mobilenet_224(self):
        # `all` params of 1.0 MobileNet-224: 4,209,088 weights + 1,000 FC bias + 4 × 10,944
        # batch-norm values (γ, β, mean, var); peak: block1.pw, 112·112·(32 + 64) elements.
        expected = (4_209_088 + 1_000 + 4 * 10_944) * 4 + 112 * 112 * (32 + 64) * 4
        assert memory.memory_estimate(mncost.network()) == expected

    def test_default_limit_allows_the_paper_grid_and_refuses_absurd_sizes(self):
        memory.check_memory(mncost.network(alpha="1.0", resolution=224))
        with pytest.raises(ConfigError, match="needs at least .* GiB .* above the limit of "
                                              "4.00 GiB; raise it with --max-memory"):
            memory.check_memory(mncost.network(resolution=100_000))

    def test_limit_is_configurable_and_none_disables_it(self):
        network = mncost.network()
        with pytest.raises(ConfigError, match="above the limit of 1.00 MiB"):
            memory.check_memory(network, 1 << 20)
        memory.check_memory(mncost.network(resolution=100_000), None)


@pytest.mark.torch
class TestCommandsRefuse:
    """verify and bench refuse before allocating; --max-memory raises or lowers the limit."""

    @pytest.fixture(autouse=True)
    def _needs_torch(self):
        pytest.importorskip("torch")
        pytest.importorskip("fvcore")

    @pytest.mark.parametrize("command", ["verify", "bench"])
    def test_huge_model_exits_2(self, runner, command):
        from mncost.cli import main
        result = runner.invoke(main, [command, "--resolution", "60000", "--runs", "1"]
                               if command == "bench" else [command, "--resolution", "60000"])
        assert result.exit_code == 2
        assert "raise it with --max-memory" in result.stderr and "Traceback" not in result.stderr

    def test_max_memory_flag(self, runner):
        from mncost.cli import main
        low = runner.invoke(main, ["verify", "--max-memory", "1MiB"])
        assert low.exit_code == 2 and "above the limit of 1.00 MiB" in low.stderr
        bad = runner.invoke(main, ["verify", "--max-memory", "lots"])
        assert bad.exit_code == 2 and "Invalid value for '--max-memory'" in bad.stderr
        ok = runner.invoke(main, ["verify", "--alpha", "0.25", "--resolution", "64",
                                  "--max-memory", "none", "--format", "json"])
        assert ok.exit_code == 0
