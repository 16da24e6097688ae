"""cocotb bench of rtl/pluton_sha256.v on Icarus: cocotbext-apb drives the bus, pluton_models.Sha256Model is the scoreboard.

Every transfer the RTL completes is replayed on the model from the same edge (the monitor below
records the edge of each setup phase), so the model stays cycle for cycle in step, and every
transfer's prdata, pslverr, wait states and completing edge are compared. Digests are also
checked against Python's hashlib/hmac, which know nothing of our model.

PLUTON_COCOTB_PLANT=1 corrupts one model expectation (the first DIGEST word it predicts), so the
bench must fail: that proves the comparison can fail.
"""

import hashlib
import hmac
import os
import random

import cocotb
from cocotb.clock import Clock
from cocotb.triggers import FallingEdge, RisingEdge
from cocotbext.apb import Apb4Bus, ApbMaster

import pluton_models

# Register offsets (rtl/pluton_sha256_regs.md).
CTRL, CMD, STATUS, ERR_INFO, MSG, MSG_LAST, MSG_LEN, ID = 0x000, 0x004, 0x008, 0x00C, 0x010, 0x014, 0x018, 0x01C
DIGEST, KEY = 0x020, 0x040
START, FINISH, ABORT, WIPE_KEY = 1, 2, 4, 8
DIGEST_VALID = 1 << 1
ERR_UNMAPPED, ERR_READ_WO, ERR_WRITE_RO, ERR_SEQ, ERR_STRB, ERR_NOT_STARTER = 1, 2, 3, 5, 6, 10
MASTER_SEC, MASTER_APP = 0, 1
# The planted fault is spent on the first DIGEST read of the run, so exactly one test fails.
_plant = {"armed": os.environ.get("PLUTON_COCOTB_PLANT") == "1"}
# Polls of STATUS before a hash counts as hung (a block takes 66 cycles; a poll at least 2).
MAX_POLLS = 2000


class Transfer:
    """One APB transfer as the RTL completed it."""

    def __init__(self, setup_edge, write, addr, wdata, strb, master):
        self.setup_edge = setup_edge
        self.write, self.addr, self.wdata, self.strb, self.master = write, addr, wdata, strb, master
        self.waits = 0
        self.rdata = 0
        self.slverr = False
        self.end_edge = None


class Scoreboard:
    """The RTL under cocotbext-apb, and the model replaying each of its transfers in step."""

    def __init__(self, dut):
        self.dut = dut
        self.model = pluton_models.Sha256Model()
        # Rising edges since this test started the clock (the model counts its own in .edges).
        self.edges = 0
        self.done = []
        self.checks = 0
        self.wait_states = 0
        # pslverr is left out of the master's bus on purpose: the master would raise on any
        # error it was not told to expect; here the model decides what is expected.
        bus = Apb4Bus(dut, None, optional_signals=["penable", "pstrb"])
        self.apb = ApbMaster(bus, dut.clock)
        self.apb.log.setLevel("WARNING")

    async def start(self):
        """Clock, idle inputs, and the same reset on both sides (two edges with rst_n low)."""
        d = self.dut
        for sig in (d.rst_n, d.pmaster, d.key_in, d.key_valid, d.clear, d.esc, d.key_par):
            sig.value = 0
        # The monitor first, so that it counts every rising edge after the clock's first fall.
        cocotb.start_soon(self._monitor())
        cocotb.start_soon(Clock(d.clock, 10, unit="ns").start())
        while self.edges < 2:
            await FallingEdge(d.clock)
        d.rst_n.value = 1
        self.model.reset()
        assert self.model.edges == self.edges == 2, (self.model.edges, self.edges)

    async def _monitor(self):
        # The one place that counts edges. At a falling edge the inputs are those the next
        # rising edge samples, and the completer's outputs have settled.
        d = self.dut
        current = None
        while True:
            await FallingEdge(d.clock)
            if int(d.psel.value):
                if not int(d.penable.value):
                    current = Transfer(
                        self.edges + 1,
                        bool(int(d.pwrite.value)),
                        int(d.paddr.value),
                        int(d.pwdata.value),
                        int(d.pstrb.value),
                        int(d.pmaster.value),
                    )
                elif current is not None:
                    if int(d.pready.value):
                        current.rdata = int(d.prdata.value)
                        current.slverr = bool(int(d.pslverr.value))
                        current.end_edge = self.edges + 1
                        self.done.append(current)
                        current = None
                    else:
                        current.waits += 1
            await RisingEdge(d.clock)
            self.edges += 1

    async def _completed(self):
        # The master returns before the completing edge; after it the monitor has the record.
        await RisingEdge(self.dut.clock)
        assert len(self.done) == 1, f"expected one completed transfer, the monitor saw {len(self.done)}"
        return self.done.pop()

    def _replay(self, t, expect_data=None):
        """Run transfer `t` on the model from the edge the RTL started it at; compare everything."""
        lag = t.setup_edge - 1 - self.model.edges
        assert lag >= 0, f"model ahead of the RTL ({self.model.edges} edges, setup at {t.setup_edge})"
        self.model.step(lag)
        if t.write:
            m_data, m_err = 0, self.model.apb_write(t.addr, t.wdata, pmaster=t.master, pstrb=t.strb)
        else:
            m_data, m_err = self.model.apb_read(t.addr, pmaster=t.master)
        what = f"{'write' if t.write else 'read'} 0x{t.addr:03x} by master {t.master} at edge {t.setup_edge}"
        if _plant["armed"] and not t.write and t.addr == DIGEST and not m_err:
            _plant["armed"] = False
            m_data ^= 1  # the planted fault: one wrong expectation
        assert (t.rdata, t.slverr) == (m_data, m_err), (
            f"{what}: RTL gave prdata 0x{t.rdata:08x} pslverr {int(t.slverr)}, model 0x{m_data:08x} pslverr {int(m_err)}"
        )
        assert t.waits == self.model.last_waits, f"{what}: RTL waited {t.waits} cycles, model {self.model.last_waits}"
        assert t.end_edge == self.model.edges, f"{what}: RTL completed at edge {t.end_edge}, model at {self.model.edges}"
        self.checks += 1
        self.wait_states += t.waits

    async def write(self, addr, data, strb=0xF, master=MASTER_SEC):
        """A write on the RTL, replayed on the model; returns pslverr."""
        self.dut.pmaster.value = master
        await self.apb.write(addr, data, strb=strb)
        t = await self._completed()
        assert t.write and t.addr == addr and t.wdata == data and t.strb == strb
        self._replay(t)
        return t.slverr

    async def read(self, addr, master=MASTER_SEC):
        """A read on the RTL, replayed on the model; returns (prdata, pslverr)."""
        self.dut.pmaster.value = master
        got = int.from_bytes(await self.apb.read(addr), "little")
        t = await self._completed()
        assert not t.write and t.addr == addr and t.rdata == got
        self._replay(t)
        return t.rdata, t.slverr

    async def read_ok(self, addr, master=MASTER_SEC):
        data, err = await self.read(addr, master)
        assert not err, f"read of 0x{addr:03x} refused"
        return data

    async def write_ok(self, addr, data, strb=0xF, master=MASTER_SEC):
        assert not await self.write(addr, data, strb, master), f"write 0x{data:08x} to 0x{addr:03x} refused"


async def run_hash(sb, msg, key=None, split_tail=False):
    """One SHA-256 (or HMAC with `key`, from the KEY registers) of `msg`; returns the digest read from DIGEST."""
    if key is not None:
        assert len(key) <= 64, "a longer key is hashed first by software"
        await sb.write_ok(CTRL, 1)
        await sb.write_ok(CMD, WIPE_KEY)
        padded = key + bytes(-len(key) % 4)
        for i in range(0, len(padded), 4):
            await sb.write_ok(KEY + i, int.from_bytes(padded[i : i + 4], "little"))
    else:
        await sb.write_ok(CTRL, 0)
    await sb.write_ok(CMD, START)
    full, tail = divmod(len(msg), 4)
    for i in range(full):
        last = i == full - 1 and tail == 0
        await sb.write_ok(MSG_LAST if last else MSG, int.from_bytes(msg[4 * i : 4 * i + 4], "little"))
    if tail:
        word = int.from_bytes(msg[4 * full :], "little")
        if split_tail and tail >= 2:
            # A partial word continued: lanes 0..tail-2 with MSG, then lane tail-1 with MSG_LAST.
            await sb.write_ok(MSG, word & ((1 << 8 * (tail - 1)) - 1), strb=(1 << (tail - 1)) - 1)
            await sb.write_ok(MSG_LAST, word, strb=1 << (tail - 1))
        else:
            await sb.write_ok(MSG_LAST, word, strb=(1 << tail) - 1)
    if not msg:
        await sb.write_ok(CMD, FINISH)
    for _ in range(MAX_POLLS):
        if await sb.read_ok(STATUS) & DIGEST_VALID:
            break
    else:
        raise AssertionError(f"no DIGEST_VALID after {MAX_POLLS} polls")
    assert await sb.read_ok(MSG_LEN) == len(msg)
    words = [await sb.read_ok(DIGEST + 4 * i) for i in range(8)]
    return b"".join(w.to_bytes(4, "little") for w in words)


async def expect_refused(sb, code, write, addr, data=0, strb=0xF, master=MASTER_SEC):
    """A transfer the map refuses: PSLVERR (RTL and model agree, and the map says so), ERR_INFO holds `code`."""
    if write:
        err = await sb.write(addr, data, strb, master)
    else:
        _, err = await sb.read(addr, master)
    assert err, f"{'write' if write else 'read'} 0x{addr:03x} by {master} was not refused"
    info = await sb.read_ok(ERR_INFO)
    assert info & 0xF == code, f"ERR_INFO 0x{info:08x}: code {info & 0xF}, expected {code}"
    await sb.write_ok(ERR_INFO, 0)


@cocotb.test()
async def sha256_messages(dut):
    """Messages of lengths 0..4 mod 4 (3, 0, 55, 56, 64, 203 bytes), one with a split partial word."""
    sb = Scoreboard(dut)
    await sb.start()
    assert await sb.read_ok(ID) == 0x53480100
    rng = random.Random(16)
    cases = [(b"abc", False), (b"", False), (bytes(rng.randrange(256) for _ in range(55)), False),
             (bytes(rng.randrange(256) for _ in range(56)), False), (bytes(range(64)), False),
             (bytes(rng.randrange(256) for _ in range(203)), True), (b"pluton", True)]
    for msg, split in cases:
        got = await run_hash(sb, msg, split_tail=split)
        assert got == hashlib.sha256(msg).digest(), f"{len(msg)}-byte message: {got.hex()} is not hashlib's"
    assert sb.wait_states > 0, "the long message never filled the buffer (no MSG write stalled)"
    dut._log.info(f"{len(cases)} digests equal hashlib's; {sb.checks} transfers compared with the model, {sb.wait_states} wait states")


@cocotb.test()
async def hmac_sha256(dut):
    """HMAC-SHA256 with keys from the KEY registers (RFC 4231 case 1, and a 64-byte key), checked against hmac."""
    sb = Scoreboard(dut)
    await sb.start()
    for key, msg in [(b"\x0b" * 20, b"Hi There"), (bytes(range(64)), b"what do ya want for nothing?!")]:
        got = await run_hash(sb, msg, key=key)
        assert got == hmac.new(key, msg, hashlib.sha256).digest(), f"HMAC: {got.hex()} is not hmac's"
    status = await sb.read_ok(STATUS)
    assert status & DIGEST_VALID
    dut._log.info(f"{sb.checks} transfers compared with the model")


@cocotb.test()
async def bad_bus_input(dut):
    """Refused accesses: unmapped and misaligned addresses, RO/WO misuse, a partial strobe, out of order, wrong master."""
    sb = Scoreboard(dut)
    await sb.start()
    await expect_refused(sb, ERR_UNMAPPED, False, 0x800)
    await expect_refused(sb, ERR_UNMAPPED, True, 0xFFC, 0x1234)
    await expect_refused(sb, ERR_UNMAPPED, False, 0x002)
    await expect_refused(sb, ERR_WRITE_RO, True, STATUS, 0xFFFFFFFF)
    await expect_refused(sb, ERR_WRITE_RO, True, ID, 0)
    await expect_refused(sb, ERR_READ_WO, False, CMD)
    await expect_refused(sb, ERR_READ_WO, False, KEY)
    await expect_refused(sb, ERR_STRB, True, CTRL, 1, strb=0b0011)
    await expect_refused(sb, ERR_SEQ, True, MSG, 0x61626364)
    # DIGEST of a finished hash, read by the application core: the security core started it.
    await run_hash(sb, b"abc")
    await expect_refused(sb, ERR_NOT_STARTER, False, DIGEST, master=MASTER_APP)
    # Two refusals without a clear: the first is kept, OVERFLOW set (both sides agree on all of it).
    assert await sb.write(STATUS, 0)
    _, err = await sb.read(0x900)
    assert err
    info = await sb.read_ok(ERR_INFO)
    assert info & 0xF == ERR_WRITE_RO and info >> 31 == 1, f"ERR_INFO 0x{info:08x}"
    await sb.write_ok(ERR_INFO, 0)
    assert await sb.read_ok(ERR_INFO) == 0
    dut._log.info(f"{sb.checks} transfers compared with the model")
