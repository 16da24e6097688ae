// Synthesis / place-and-route harness for the pluton_trng_ro leaf (any family), on the four
// shell pins of fpga/boards: clk, rst_n, sin (enable), sout (noise out). Not a usable TRNG
// interface: it only gives the leaf real loads so nothing is removed, and pins so the board
// constraint files apply.
//
// sin is synchronised and drives the leaf's `en`; every noise_bit shifts into a 32-bit
// register whose MSB drives sout.
`default_nettype none

module pluton_trng_ro_harness (
    input  wire clk,
    input  wire rst_n,
    input  wire sin,
    output wire sout
);
    reg [1:0] en_sync;
    always @(posedge clk or negedge rst_n) begin
        if (!rst_n) en_sync <= 2'b00;
        else        en_sync <= {en_sync[0], sin};
    end

    wire noise_bit;
    wire noise_valid;
    pluton_trng_ro u_ro (
        .clock      (clk),
        .rst_n      (rst_n),
        .en         (en_sync[1]),
        .noise_bit  (noise_bit),
        .noise_valid(noise_valid)
    );

    reg [31:0] shift;
    always @(posedge clk or negedge rst_n) begin
        if (!rst_n)           shift <= 32'd0;
        else if (noise_valid) shift <= {shift[30:0], noise_bit};
    end
    assign sout = shift[31];
endmodule

`default_nettype wire
