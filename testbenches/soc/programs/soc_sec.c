/* soc_sec: the security core's program in pluton_soc's demo.
 *
 * 1. Waits for the fuses (OTP READY; the init scan loads the device root key onto the SHA
 *    engine's sideload port, KEY_VALID).
 * 2. Gives each firewall window its owner and sets LOCK; the lock releases the application core.
 * 3. Serves the mailbox: for each OP_HMAC request it computes HMAC-SHA256(device root key, label)
 *    with CTRL.KEY_SEL = 1 (the key never reaches software) and sends the tag back in two
 *    messages. It sleeps in WFI between requests; the mailbox interrupt wakes it.
 * 4. On OP_BYE: prints the firewall's violation count (the application core's three refused
 *    accesses) and exits through semihosting. */
#define UART_BASE_ADDR PLUTON_SOC_UART_BASE
#include "soc.h"
#include "uart.h"
#include "../../../rtl/pluton_firewall_regs.h"
#include "../../../rtl/pluton_otp_regs.h"
#include "../../../rtl/pluton_sha256_regs.h"

#define OTP(r) SECURITY(PLUTON_SECURITY_OTP_BASE, PLUTON_OTP_##r##_OFFSET)
#define SHA(r) SECURITY(PLUTON_SECURITY_SHA256_BASE, PLUTON_SHA256_##r##_OFFSET)
#define FW(r) SECURITY(PLUTON_SECURITY_FIREWALL_BASE, PLUTON_FIREWALL_##r##_OFFSET)
#define MBOX(r) REG(PLUTON_SOC_MBOX_SEC_BASE + PLUTON_MAILBOX_##r##_OFFSET)
#define MBOX_BIT (1u << PLUTON_SOC_IRQ_MAILBOX)

/* Window owners (firewall windows 0..7): SHA, OTP, Wi-Fi app side, Wi-Fi control, mailbox SEC
 * side, mailbox APP side, unused, unused. */
static const uint8_t owners[8] = {
    PLUTON_SOC_MASTER_SEC, PLUTON_SOC_MASTER_SEC, PLUTON_SOC_MASTER_APP, PLUTON_SOC_MASTER_SEC,
    PLUTON_SOC_MASTER_SEC, PLUTON_SOC_MASTER_APP, PLUTON_SOC_MASTER_SEC, PLUTON_SOC_MASTER_SEC,
};

/* The mailbox interrupt is only a wake-up: PRIMASK stays set while sleeping, so WFI returns on
 * the pending IRQ without taking it. */
static void wait_request(void) {
    __asm__ volatile("cpsid i" ::: "memory");
    while (!(MBOX(STATUS) & PLUTON_MAILBOX_STATUS_A2S_PENDING_MASK)) {
        NVIC_ICPR = MBOX_BIT;
        __asm__ volatile("wfi" ::: "memory");
    }
}

/* HMAC-SHA256 under the sideloaded fuse key; the label goes as whole words, then a 0-3 byte tail
 * as lane-continuing stores ending in MSG_LAST (the engine's README, Message data). */
static void hmac_fused(const uint8_t *label, uint32_t len, uint32_t tag[8]) {
    volatile uint8_t *last8 = (volatile uint8_t *)&SHA(MSG_LAST);
    volatile uint16_t *last16 = (volatile uint16_t *)&SHA(MSG_LAST);
    SHA(CTRL) = PLUTON_SHA256_CTRL_HMAC_EN_MASK | PLUTON_SHA256_CTRL_KEY_SEL_MASK;
    SHA(CMD) = PLUTON_SHA256_CMD_START_MASK;
    uint32_t words = len / 4, tail = len % 4;
    for (uint32_t i = 0; i < words; i++) {
        const uint8_t *p = label + 4 * i;
        uint32_t w = p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
        if (i + 1 == words && tail == 0) {
            SHA(MSG_LAST) = w;
        } else {
            SHA(MSG) = w;
        }
    }
    const uint8_t *t = label + 4 * words;
    if (len == 0) {
        SHA(CMD) = PLUTON_SHA256_CMD_FINISH_MASK;
    } else if (tail == 1) {
        *last8 = t[0];
    } else if (tail == 2) {
        *last16 = (uint16_t)(t[0] | t[1] << 8);
    } else if (tail == 3) {
        *(volatile uint16_t *)&SHA(MSG) = (uint16_t)(t[0] | t[1] << 8);
        last8[2] = t[2];
    }
    while (!(SHA(STATUS) & PLUTON_SHA256_STATUS_DIGEST_VALID_MASK)) {
    }
    for (uint32_t i = 0; i < 8; i++) tag[i] = REG((uint32_t)&SHA(DIGEST) + 4 * i);
}

static void send(const uint32_t *words) {
    while (MBOX(STATUS) & PLUTON_MAILBOX_STATUS_S2A_PENDING_MASK) {
    }
    for (uint32_t i = 0; i < 4; i++) REG(PLUTON_SOC_MBOX_SEC_BASE + PLUTON_MAILBOX_S2A_DATA_OFFSET + 4 * i) = words[i];
    MBOX(S2A_SEND) = 1;
}

int main(void) {
    uart_init();
    uart_puts("sec: boot\n");
    while (!(OTP(STATUS) & PLUTON_OTP_STATUS_READY_MASK)) {
    }
    if (!(OTP(STATUS) & PLUTON_OTP_STATUS_KEY_VALID_MASK)) {
        uart_puts("sec: no device key\n");
        return 1;
    }
    for (uint32_t k = 0; k < 8; k++) REG((uint32_t)&FW(WIN_CFG) + 4 * k) = owners[k] << PLUTON_FIREWALL_WIN_CFG_OWNER_LSB;
    FW(LOCK) = 1;
    uart_puts("sec: firewall locked\n");

    MBOX(SEC_IRQ_EN) = 1;
    NVIC_ISER = MBOX_BIT;
    uint32_t served = 0;
    for (;;) {
        wait_request();
        uint32_t msg[4];
        for (uint32_t i = 0; i < 4; i++) msg[i] = REG(PLUTON_SOC_MBOX_SEC_BASE + PLUTON_MAILBOX_A2S_DATA_OFFSET + 4 * i);
        MBOX(A2S_ACK) = 1;
        if (msg[0] == OP_BYE) break;
        if (msg[0] != OP_HMAC || msg[1] > LABEL_MAX) {
            uart_puts("sec: bad request\n");
            return 1;
        }
        uint32_t tag[8];
        hmac_fused((const uint8_t *)&msg[2], msg[1], tag);
        send(tag);
        send(tag + 4);
        served++;
    }
    uart_puts("sec: served ");
    uart_hex8(served);
    uart_puts(", violations ");
    uart_hex8(FW(VIOL_COUNT));
    uart_puts("\n");
    return 0;
}
