/* sha_demo: the first system's demo. Hashes four messages with the SHA-256 engine (waiting for its
 * interrupt in WFI), prints the digests in hex on the UART, checks them, and exits through
 * semihosting (crt0: main's return value, SYS_EXIT with BKPT 0xAB, so HALTED rises).
 *
 * Output (UART), one line each:
 *   sha_demo
 *   sha256(nist448) = 248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1
 *   sha256(pattern1001) = 30c89b3d4daf6298177521bb22a0243c7677bbc4297a5b9812963216709ab541
 *   sha256(abc) = ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad
 *   sha256(pattern1003) = 84704c2ceb328d89bfa7d94e6b8d10ecb9900fb6c03413c942c5ba51145a9134
 *   irqs = 04
 *   PASS
 *
 * nist448 is the 56-byte FIPS 180-2 test message; pattern1001 is bytes (31 * i + 7) mod 256 for
 * i = 0..1000: 250 word writes to MSG, then the last byte alone through MSG_LAST (pstrb 0001).
 * A 3-byte tail ("abc", and the last 3 bytes of pattern1003) goes as lane-continuing stores: STRH
 * to MSG + 0 (pstrb 0011), then STRB to MSG_LAST + 2 (pstrb 0100); see the engine's README,
 * Message data. No single AHB transfer carries 3 bytes.
 *
 * Built with testbenches/m0/programs/{crt0.S,lib.c,link.ld}; the headers are the generated ones. */
#include <stdint.h>
#include "../../../rtl/pluton_m0sys_regs.h"
#include "../../../rtl/pluton_sha256_regs.h"
#define UART_BASE_ADDR PLUTON_M0SYS_UART_BASE
#include "uart.h"

#define SHA(r) (*(volatile uint32_t *)(PLUTON_M0SYS_SHA256_BASE + PLUTON_SHA256_##r##_OFFSET))
/* Byte store to MSG_LAST: the bridge turns it into pstrb 0001. */
#define SHA_MSG_LAST_BYTE (*(volatile uint8_t *)(PLUTON_M0SYS_SHA256_BASE + PLUTON_SHA256_MSG_LAST_OFFSET))
/* A 3-byte tail: halfword to MSG lanes 0-1 (pstrb 0011), then byte to MSG_LAST lane 2 (pstrb 0100). */
#define SHA_MSG_HALF (*(volatile uint16_t *)(PLUTON_M0SYS_SHA256_BASE + PLUTON_SHA256_MSG_OFFSET))
#define SHA_MSG_LAST_LANE2 (*(volatile uint8_t *)(PLUTON_M0SYS_SHA256_BASE + PLUTON_SHA256_MSG_LAST_OFFSET + 2))

/* NVIC (Armv6-M System Control Space). */
#define NVIC_ISER (*(volatile uint32_t *)0xE000E100u)
#define NVIC_ICER (*(volatile uint32_t *)0xE000E180u)
#define NVIC_ICPR (*(volatile uint32_t *)0xE000E280u)
#define SHA_IRQ_BIT (1u << PLUTON_M0SYS_IRQ_SHA256)

static volatile uint32_t sha_irqs;

/* SHA-256 done (IRQ 0). intr_done stays high until the next START, so the handler disables the
 * line; the main program enables it again for the next hash. Overrides crt0's weak handler. */
void irq0_handler(void) {
    NVIC_ICER = SHA_IRQ_BIT;
    sha_irqs++;
}

/* Sleeps until the digest is valid. PRIMASK is set while sleeping, so the pending IRQ 0 wakes the
 * WFI without being taken; CPSIE then takes it once. */
static void sha_wait(void) {
    __asm__ volatile("cpsid i" ::: "memory");
    NVIC_ICPR = SHA_IRQ_BIT;
    NVIC_ISER = SHA_IRQ_BIT;
    while (!(SHA(STATUS) & PLUTON_SHA256_STATUS_DIGEST_VALID_MASK)) {
        __asm__ volatile("wfi" ::: "memory");
    }
    __asm__ volatile("cpsie i" ::: "memory");
}

/* Prints "sha256(<name>) = <64 hex digits>" and compares with `expect` (32 bytes). */
static int sha_report(const char *name, const uint8_t *expect) {
    int ok = 1;
    uart_puts("sha256(");
    uart_puts(name);
    uart_puts(") = ");
    for (uint32_t i = 0; i < 8; i++) {
        uint32_t w = *(volatile uint32_t *)(PLUTON_M0SYS_SHA256_BASE + PLUTON_SHA256_DIGEST_OFFSET + 4 * i);
        for (uint32_t k = 0; k < 4; k++) {
            uint32_t b = (w >> (8 * k)) & 0xFF; /* digest byte 4i + k */
            uart_hex8(b);
            ok &= b == expect[4 * i + k];
        }
    }
    uart_puts("\n");
    return ok;
}

static const char nist448[] = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
static const uint8_t nist448_digest[32] = {
    0x24, 0x8d, 0x6a, 0x61, 0xd2, 0x06, 0x38, 0xb8, 0xe5, 0xc0, 0x26, 0x93, 0x0c, 0x3e, 0x60, 0x39,
    0xa3, 0x3c, 0xe4, 0x59, 0x64, 0xff, 0x21, 0x67, 0xf6, 0xec, 0xed, 0xd4, 0x19, 0xdb, 0x06, 0xc1,
};
static const uint8_t pattern_digest[32] = {
    0x30, 0xc8, 0x9b, 0x3d, 0x4d, 0xaf, 0x62, 0x98, 0x17, 0x75, 0x21, 0xbb, 0x22, 0xa0, 0x24, 0x3c,
    0x76, 0x77, 0xbb, 0xc4, 0x29, 0x7a, 0x5b, 0x98, 0x12, 0x96, 0x32, 0x16, 0x70, 0x9a, 0xb5, 0x41,
};

static const uint8_t abc_digest[32] = {
    0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41, 0x40, 0xde, 0x5d, 0xae, 0x22, 0x23,
    0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17, 0x7a, 0x9c, 0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad,
};
static const uint8_t pattern1003_digest[32] = {
    0x84, 0x70, 0x4c, 0x2c, 0xeb, 0x32, 0x8d, 0x89, 0xbf, 0xa7, 0xd9, 0x4e, 0x6b, 0x8d, 0x10, 0xec,
    0xb9, 0x90, 0x0f, 0xb6, 0xc0, 0x34, 0x13, 0xc9, 0x42, 0xc5, 0xba, 0x51, 0x14, 0x5a, 0x91, 0x34,
};

static void sha_tail3(uint32_t b0, uint32_t b1, uint32_t b2) {
    SHA_MSG_HALF = (uint16_t)(b0 | b1 << 8);
    SHA_MSG_LAST_LANE2 = (uint8_t)b2;
}

static uint32_t pattern_byte(uint32_t i) { return (31u * i + 7u) & 0xFFu; }

int main(void) {
    int ok = 1;
    uart_init();
    uart_puts("sha_demo\n");

    /* 1: the 56-byte FIPS 180-2 message, whole words, then FINISH (hardware padding). */
    SHA(CMD) = PLUTON_SHA256_CMD_START_MASK;
    for (uint32_t i = 0; i < sizeof nist448 - 1; i += 4) {
        const uint8_t *p = (const uint8_t *)nist448 + i;
        SHA(MSG) = p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
    }
    SHA(CMD) = PLUTON_SHA256_CMD_FINISH_MASK;
    sha_wait();
    ok &= sha_report("nist448", nist448_digest);

    /* 2: 1001 bytes of a pattern; the last byte goes alone through MSG_LAST. */
    SHA(CMD) = PLUTON_SHA256_CMD_START_MASK;
    for (uint32_t i = 0; i < 1000; i += 4) {
        SHA(MSG) = pattern_byte(i) | pattern_byte(i + 1) << 8 | pattern_byte(i + 2) << 16 | pattern_byte(i + 3) << 24;
    }
    SHA_MSG_LAST_BYTE = (uint8_t)pattern_byte(1000);
    sha_wait();
    ok &= sha_report("pattern1001", pattern_digest);

    /* 3: "abc", 3 bytes: the whole message is a tail. */
    SHA(CMD) = PLUTON_SHA256_CMD_START_MASK;
    sha_tail3('a', 'b', 'c');
    sha_wait();
    ok &= sha_report("abc", abc_digest);

    /* 4: 1003 bytes of the pattern: 250 words, then a 3-byte tail. */
    SHA(CMD) = PLUTON_SHA256_CMD_START_MASK;
    for (uint32_t i = 0; i < 1000; i += 4) {
        SHA(MSG) = pattern_byte(i) | pattern_byte(i + 1) << 8 | pattern_byte(i + 2) << 16 | pattern_byte(i + 3) << 24;
    }
    sha_tail3(pattern_byte(1000), pattern_byte(1001), pattern_byte(1002));
    sha_wait();
    ok &= sha_report("pattern1003", pattern1003_digest);

    uart_puts("irqs = ");
    uart_hex8(sha_irqs);
    uart_puts("\n");
    ok &= sha_irqs == 4;
    ok &= SHA(ERR_INFO) == 0 && UART(ERR_INFO) == 0;
    uart_puts(ok ? "PASS\n" : "FAIL\n");
    return ok ? 0 : 1;
}
