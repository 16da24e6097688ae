// Icarus check of the pluton_trng_ro leaf (any family, with fpga/trng/models/<family>_cells.v
// compiled with -DPLUTON_TRNG_RO_SIM=<stage delay in ns>). Not an entropy test: with a fixed
// stage delay every ring is a perfect square wave. It checks the structure and the logic:
//   - after reset with en low, no ring moves and noise_valid stays low;
//   - with en high, every ring oscillates; noise_valid pulses exactly once every DIV clocks,
//     the first at the (DIV + 2)-th edge after en rose; each noise_bit is the XOR of the DIV
//     synchronised samples of its window (a sample: the XOR of all rings two clocks earlier);
//   - when en falls, the rings stop and noise_valid stops within 3 clocks.
// Prints "N passed, N failed" and calls $fatal on a failure.
`timescale 1ns / 1ps
`default_nettype none

module tb_pluton_trng_ro;
    parameter N_RO = 8;
    parameter DIV  = 16;
    // Clock period in ns: not a multiple of the stage delay, so the samples vary.
    parameter real PERIOD = 20.0;

    reg clock = 1'b0;
    reg rst_n = 1'b0;
    reg en    = 1'b0;
    wire noise_bit;
    wire noise_valid;

    pluton_trng_ro #(.N_RO(N_RO), .DIV(DIV)) dut (
        .clock(clock), .rst_n(rst_n), .en(en), .noise_bit(noise_bit), .noise_valid(noise_valid)
    );

    always #(PERIOD / 2.0) clock = ~clock;

    integer passed = 0;
    integer failed = 0;
    task check(input ok, input [8*64-1:0] what);
        begin
            if (ok) passed = passed + 1;
            else begin
                failed = failed + 1;
                $display("FAIL: %0s at %0t", what, $time);
            end
        end
    endtask

    // Edges of each ring's output, counted by the testbench itself.
    integer toggles [0:15];
    genvar g;
    generate
        for (g = 0; g < N_RO; g = g + 1) begin : watch
            always @(dut.ro_out[g]) toggles[g] = toggles[g] + 1;
        end
    endgenerate
    integer i;
    task clear_toggles;
        for (i = 0; i < 16; i = i + 1) toggles[i] = 0;
    endtask

    // Reference: the raw sample each clock is the XOR of the ring outputs two clocks earlier;
    // it is taken from the ring outputs by this testbench, not from the leaf's own flops.
    reg [N_RO-1:0] ref1, ref2;
    always @(posedge clock) begin
        ref2 <= ref1;
        ref1 <= dut.ro_out;
    end

    integer cyc;           // clocks since en rose (at the edge it was first seen)
    integer pulses;
    integer last_pulse;
    reg     want_bit;
    reg     window;        // XOR of the reference samples of the current window
    integer in_window;
    integer ones;
    integer n;

    initial begin
        clear_toggles;
        ref1 = 0; ref2 = 0;
        repeat (3) @(posedge clock);
        #1 rst_n = 1'b1;
        // Disabled: nothing moves.
        clear_toggles;
        repeat (40) begin
            @(posedge clock);
            #1 check(!noise_valid, "noise_valid low while disabled");
        end
        n = 0;
        for (i = 0; i < N_RO; i = i + 1) n = n + toggles[i];
        check(n == 0, "rings still while disabled");

        // Enabled. en changes just after an edge, as from a register in the clock domain.
        en = 1'b1;
        clear_toggles;
        pulses = 0; last_pulse = 0; window = 1'b0; in_window = 0; ones = 0;
        for (cyc = 1; cyc <= 40 * DIV + 2; cyc = cyc + 1) begin
            @(posedge clock);
            // The leaf's decimator sees its first sample at the third edge after en rose
            // (two synchroniser flops + the matching delay on en); its first window
            // closes DIV - 1 edges later.
            if (cyc >= 3) begin
                window = window ^ (^ref2);
                in_window = in_window + 1;
            end
            #1;
            if (noise_valid) begin
                pulses = pulses + 1;
                if (pulses == 1) check(cyc == DIV + 2, "first noise_valid DIV + 2 edges after en");
                else             check(cyc - last_pulse == DIV, "noise_valid every DIV clocks");
                last_pulse = cyc;
            end
            if (in_window == DIV) begin
                // The bit of this window is registered at this edge and visible now.
                check(noise_valid, "noise_valid at the end of each window");
                check(noise_bit == window, "noise_bit = XOR of the window's samples");
                ones = ones + noise_bit;
                window = 1'b0;
                in_window = 0;
            end
        end
        check(pulses == 40, "40 windows in 40 * DIV + 2 clocks");
        for (i = 0; i < N_RO; i = i + 1) check(toggles[i] > 100, "every ring oscillates");
        $display("N_RO=%0d DIV=%0d: %0d noise bits, %0d ones; ring 0 edges %0d, ring %0d edges %0d",
                 N_RO, DIV, pulses, ones, toggles[0], N_RO - 1, toggles[N_RO - 1]);

        // Disabled again: the rings stop and noise_valid stops.
        @(posedge clock);
        #1 en = 1'b0;
        repeat (3) @(posedge clock);
        clear_toggles;
        repeat (2 * DIV + 4) begin
            @(posedge clock);
            #1 check(!noise_valid, "noise_valid low after disable");
        end
        n = 0;
        for (i = 0; i < N_RO; i = i + 1) n = n + toggles[i];
        check(n == 0, "rings stop when disabled");

        // Reset in the middle of a run clears the outputs at once.
        en = 1'b1;
        repeat (DIV + 5) @(posedge clock);
        #(PERIOD / 4.0) rst_n = 1'b0;
        #1 check(!noise_valid && !noise_bit, "asynchronous reset clears the outputs");

        $display("%0d passed, %0d failed", passed, failed);
        if (failed != 0) $fatal(1, "tb_pluton_trng_ro: %0d checks failed", failed);
        $finish;
    end
endmodule

`default_nettype wire
