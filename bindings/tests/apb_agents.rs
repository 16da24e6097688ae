//! The APB completer and monitor, on the firewall: requester upstream, a monitor on each side,
//! completers downstream (the firewall's `m_*` bus, lane k = window k).

use pluton_bindings::apb::{Apb, ApbError};
use pluton_bindings::apb_agents::{ApbCompleter, ApbMonitor, CompleterMode};
use pluton_bindings::{open_verilated, Sim, SimOptions};

fn sim() -> Sim {
    Sim::with_options(|| open_verilated("pluton_firewall").expect("model built"), SimOptions { seed: Some(5), ..SimOptions::default() })
}

/// After reset every window belongs to the security core (master 0), so its transfers reach the
/// completers: what it writes it reads back, through wait states and refusals drawn by the
/// completer; both monitors see every transfer, and nothing breaks the protocol.
#[test]
fn completer_serves_and_monitors_agree() {
    sim()
        .run("apb_agents", |tb| async move {
            let apb = Apb::new(&tb)?;
            let up = ApbMonitor::spawn(&tb, "", 0)?;
            let downs: Vec<ApbMonitor> = (0..8).map(|k| ApbMonitor::spawn(&tb, "m_", k)).collect::<Result<_, _>>()?;
            let comps: Vec<ApbCompleter> =
                (0..8).map(|k| ApbCompleter::spawn(&tb, "m_", k, CompleterMode::BUSY)).collect::<Result<_, _>>()?;
            let (mut refused, mut waited, mut done) = (0, 0, 0);
            for i in 0..400u32 {
                let (k, off) = (i % 8, 4 * (i % 16));
                let addr = (k << 12) | off;
                let value = i.wrapping_mul(0x9e37_79b9);
                match apb.transfer(true, addr, value, 0xf).await {
                    Ok(t) => {
                        waited += t.wait_states;
                        let want = *comps[k as usize].mem.borrow().get(&off).unwrap_or(&0);
                        match apb.read(addr).await {
                            Ok(got) if got != want => return Err(format!("window {k} offset {off:#x}: read {got:#x}, memory has {want:#x}")),
                            Ok(_) => done += 1,
                            Err(ApbError::SlvErr { .. }) => refused += 1,
                            Err(e) => return Err(e.to_string()),
                        }
                    }
                    Err(ApbError::SlvErr { .. }) => refused += 1,
                    Err(e) => return Err(e.to_string()),
                }
            }
            up.check()?;
            let served: usize = comps.iter().map(|c| c.served.borrow().len()).sum();
            let seen_down: usize = downs.iter().map(|m| m.log.borrow().transfers.len()).sum();
            for m in &downs {
                m.check()?;
            }
            if up.log.borrow().transfers.len() != served || seen_down != served {
                return Err(format!("monitor upstream {}, downstream {seen_down}, completers {served}", up.log.borrow().transfers.len()));
            }
            if done == 0 || refused == 0 || waited == 0 {
                return Err(format!("{done} read back, {refused} refused, {waited} wait states: the mode was not exercised"));
            }
            Ok(())
        })
        .unwrap();
}

/// The monitor catches an ACCESS cycle with no SETUP before it, and a request that changes
/// while the completer waits.
#[test]
fn monitor_flags_protocol_violations() {
    sim()
        .run("apb_monitor_violations", |tb| async move {
            let mon = ApbMonitor::spawn(&tb, "", 0)?;
            let (psel, penable, paddr) = (tb.port("psel")?, tb.port("penable")?, tb.port("paddr")?);
            // psel and penable together, from idle.
            tb.poke_u32(psel, 1);
            tb.poke_u32(penable, 1);
            tb.rising_edge().await;
            tb.poke_u32(psel, 0);
            tb.poke_u32(penable, 0);
            tb.rising_edge().await;
            // SETUP, then ACCESS with another address.
            tb.poke_u32(psel, 1);
            tb.poke_u32(paddr, 0x8000);
            tb.rising_edge().await;
            tb.poke_u32(penable, 1);
            tb.poke_u32(paddr, 0x8004);
            tb.rising_edge().await;
            tb.poke_u32(psel, 0);
            tb.poke_u32(penable, 0);
            tb.rising_edge().await;
            let v = mon.log.borrow().violations.clone();
            if v.len() != 2 || !v[0].contains("without a SETUP") || !v[1].contains("request changed") {
                return Err(format!("violations: {v:?}"));
            }
            Ok(())
        })
        .unwrap();
}
