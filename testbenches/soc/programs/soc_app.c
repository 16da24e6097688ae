/* soc_app: the application core's program in pluton_soc's demo. It starts when the security core
 * locks the firewall.
 *
 * 1. Asks the security core, through the mailbox, for HMAC(device key, label) for two labels and
 *    prints each tag; it never touches a key.
 * 2. Tries three accesses the firewall refuses: a read of the OTP window, a write to the SHA
 *    engine's KEY register, and a write to the firewall's configuration. Each must end in a
 *    HardFault (PSLVERR -> AHB ERROR); the handler skips the access and the program reports it.
 * 3. Says goodbye to the security core and exits through semihosting. */
#define UART_BASE_ADDR PLUTON_SOC_UART_BASE
#include "soc.h"
#include "uart.h"
#include "fault_handler.h"
#include "../../../rtl/pluton_firewall_regs.h"
#include "../../../rtl/pluton_otp_regs.h"
#include "../../../rtl/pluton_sha256_regs.h"

#define MBOX(r) REG(PLUTON_SOC_MBOX_APP_BASE + PLUTON_MAILBOX_##r##_OFFSET)

static void request(const uint32_t *words) {
    while (MBOX(STATUS) & PLUTON_MAILBOX_STATUS_A2S_PENDING_MASK) {
    }
    for (uint32_t i = 0; i < 4; i++) REG(PLUTON_SOC_MBOX_APP_BASE + PLUTON_MAILBOX_A2S_DATA_OFFSET + 4 * i) = words[i];
    MBOX(A2S_SEND) = 1;
}

static void receive(uint32_t *words) {
    while (!(MBOX(STATUS) & PLUTON_MAILBOX_STATUS_S2A_PENDING_MASK)) {
    }
    for (uint32_t i = 0; i < 4; i++) words[i] = REG(PLUTON_SOC_MBOX_APP_BASE + PLUTON_MAILBOX_S2A_DATA_OFFSET + 4 * i);
    MBOX(S2A_ACK) = 1;
}

static void hmac_request(const char *label) {
    uint32_t len = 0;
    uint8_t bytes[LABEL_MAX] = {0};
    while (label[len] && len < LABEL_MAX) {
        bytes[len] = (uint8_t)label[len];
        len++;
    }
    uint32_t msg[4] = {OP_HMAC, len, 0, 0};
    for (uint32_t i = 0; i < len; i++) msg[2 + i / 4] |= (uint32_t)bytes[i] << (8 * (i % 4));
    request(msg);
    uint32_t tag[8];
    receive(tag);
    receive(tag + 4);
    uart_puts("app: hmac(");
    uart_puts(label);
    uart_puts(") = ");
    uart_hex32bytes((const uint8_t *)tag);
    uart_puts("\n");
}

/* One 16-bit load or store at `addr` (the handler skips 2 bytes); `at` is its address, for the
 * stacked-PC check. */
#define ATTEMPT(label, insn, addr)                                                           \
    __asm__ volatile(".global " label "\n" label ":\n\t" insn " r0, [%0]" ::"l"(addr) : "r0", "memory")

static int refused(const char *what, uint32_t at) {
    int ok = faults == 1 && last_pc == at;
    uart_puts(ok ? "app: refused: " : "app: NOT refused: ");
    uart_puts(what);
    uart_puts("\n");
    report(what, at);
    return ok;
}

extern char otp_read_at[], key_write_at[], fw_write_at[];

int main(void) {
    uart_init();
    uart_puts("app: start\n");
    hmac_request("attest-1");
    hmac_request("abc");

    int ok = 1;
    fix = 0; /* the HardFault handler skips the 16-bit access */
    ATTEMPT("otp_read_at", "ldr", PLUTON_SOC_SECURITY_BASE + PLUTON_SECURITY_OTP_BASE + PLUTON_OTP_STATUS_OFFSET);
    ok &= refused("otp read", (uint32_t)otp_read_at & ~1u);
    ATTEMPT("key_write_at", "str", PLUTON_SOC_SECURITY_BASE + PLUTON_SECURITY_SHA256_BASE + PLUTON_SHA256_KEY_OFFSET);
    ok &= refused("sha key write", (uint32_t)key_write_at & ~1u);
    ATTEMPT("fw_write_at", "str", PLUTON_SOC_SECURITY_BASE + PLUTON_SECURITY_FIREWALL_BASE + PLUTON_FIREWALL_WIN_CFG_OFFSET);
    ok &= refused("firewall config write", (uint32_t)fw_write_at & ~1u);

    uint32_t bye[4] = {OP_BYE, 0, 0, 0};
    request(bye);
    uart_puts(ok ? "app: PASS\n" : "app: FAIL\n");
    return ok ? 0 : 1;
}
