// Formal twin of the fuse macro model `pluton_fuse_array` (rtl/models/pluton_fuse_array.v): the
// same body, word for word (the formal runner's test checks this against the model; under
// `-formal` its blank-start `initial` is left out, so the array starts arbitrary), plus property
// (d) on the array: no bit of any word (`probe` is any fixed address) ever goes from 1 to 0.
module pluton_fuse_array(
    input  wire        clock,
    input  wire        rst_n,
    input  wire        we,
    input  wire [5:0]  waddr,
    input  wire [39:0] wdata,
    input  wire [5:0]  raddr,
    output reg  [39:0] rdata
);
    reg [39:0] mem [0:63];
`ifndef FORMAL
    integer i;
    initial for (i = 0; i < 64; i = i + 1) mem[i] = 40'h0;
`endif
    always @(posedge clock) begin
        if (we) mem[waddr] <= wdata;
    end
    always @(posedge clock or negedge rst_n) begin
        if (!rst_n) rdata <= 40'h0;
        else rdata <= mem[raddr];
    end

    // (d) The word at `probe` only ever gains bits.
    (* anyconst *) reg [5:0] probe;
    reg [39:0] before;
    reg have_before = 1'b0;
    always @(posedge clock) begin
        before <= mem[probe];
        have_before <= 1'b1;
    end
    always @(*) if (have_before) assert ((before & ~mem[probe]) == 40'h0);
endmodule
