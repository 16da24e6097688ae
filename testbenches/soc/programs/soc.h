/* What both cores of pluton_soc share: the addresses (generated headers) and the mailbox protocol
 * of the demo. Each core includes it and defines its own UART_BASE_ADDR first (the same address:
 * every core has its own UART there). */
#ifndef SOC_H
#define SOC_H
#include <stdint.h>
#include "../../../rtl/pluton_soc_regs.h"
#include "../../../rtl/pluton_security_regs.h"
#include "../../../rtl/pluton_mailbox_regs.h"

#define REG(addr) (*(volatile uint32_t *)(addr))
#define SECURITY(win_base, r) REG(PLUTON_SOC_SECURITY_BASE + (win_base) + (r))

/* Requests, application core -> security core (one 4-word message):
 *   word 0: OP_HMAC, word 1: label length (0..8), words 2-3: the label bytes (little-endian);
 *   word 0: OP_BYE: the application core is done.
 * Reply to OP_HMAC: the 32-byte tag in two messages of 4 words (bytes 0-15, then 16-31). */
#define OP_HMAC 1u
#define OP_BYE 2u
#define LABEL_MAX 8u

/* NVIC (Armv6-M System Control Space). */
#define NVIC_ISER REG(0xE000E100u)
#define NVIC_ICPR REG(0xE000E280u)
#endif
