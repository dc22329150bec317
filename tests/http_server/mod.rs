//! A small HTTP/1.1 server on 127.0.0.1 for tests that talk to registries (tests/registry.rs,
//! tests/enrich_network.rs): routes to canned replies, a request log, misbehaviour on demand.
#![allow(dead_code)]

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

// ---------------------------------------------------------------------------------------------
// A small HTTP/1.1 server: one thread per connection, `Connection: close`.
// ---------------------------------------------------------------------------------------------

#[derive(Clone)]
pub enum Reply {
    /// Status, extra headers, body.
    Full(u16, Vec<(&'static str, String)>, Vec<u8>),
    /// Accept the request, then say nothing for this long.
    Stall(Duration),
    /// 200 without a length, then bytes until the client hangs up.
    Endless,
    /// Sleep, then answer.
    Slow(Duration, Box<Reply>),
}

pub fn ok(content_type: &str, body: impl Into<Vec<u8>>) -> Reply {
    Reply::Full(
        200,
        vec![("Content-Type", content_type.to_string())],
        body.into(),
    )
}

pub fn json_file(rel: &str) -> Reply {
    ok("application/json", std::fs::read(fixture(rel)).unwrap())
}

pub fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata/registry")
        .join(rel)
}

#[derive(Default)]
pub struct State {
    /// path (with query) → replies in order; the last one repeats.
    pub routes: HashMap<String, Vec<Reply>>,
    /// (path, user-agent, authorization) of every request.
    pub log: Vec<(String, String, Option<String>)>,
}

pub struct Server {
    pub base: String,
    pub state: Arc<Mutex<State>>,
    pub in_flight: Arc<AtomicUsize>,
    pub max_in_flight: Arc<AtomicUsize>,
}

impl Server {
    pub fn start() -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let state: Arc<Mutex<State>> = Arc::default();
        let in_flight: Arc<AtomicUsize> = Arc::default();
        let max_in_flight: Arc<AtomicUsize> = Arc::default();
        let (st, inf, max) = (state.clone(), in_flight.clone(), max_in_flight.clone());
        std::thread::spawn(move || {
            for conn in listener.incoming().flatten() {
                let (st, inf, max) = (st.clone(), inf.clone(), max.clone());
                std::thread::spawn(move || {
                    let _ = handle(conn, &st, &inf, &max);
                });
            }
        });
        Server {
            base,
            state,
            in_flight,
            max_in_flight,
        }
    }

    pub fn route(&self, path: &str, replies: Vec<Reply>) {
        self.state
            .lock()
            .unwrap()
            .routes
            .insert(path.to_string(), replies);
    }

    pub fn hits(&self, path: &str) -> usize {
        self.state
            .lock()
            .unwrap()
            .log
            .iter()
            .filter(|(p, ..)| p == path)
            .count()
    }

    pub fn log(&self) -> Vec<(String, String, Option<String>)> {
        self.state.lock().unwrap().log.clone()
    }
}

fn handle(
    conn: TcpStream,
    state: &Mutex<State>,
    inf: &AtomicUsize,
    max: &AtomicUsize,
) -> std::io::Result<()> {
    let mut reader = BufReader::new(conn.try_clone()?);
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let path = line.split_whitespace().nth(1).unwrap_or("/").to_string();
    let (mut ua, mut auth) = (String::new(), None);
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h)? == 0 || h == "\r\n" {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            match k.to_ascii_lowercase().as_str() {
                "user-agent" => ua = v.trim().to_string(),
                "authorization" => auth = Some(v.trim().to_string()),
                _ => {}
            }
        }
    }
    let reply = {
        let mut st = state.lock().unwrap();
        st.log.push((path.clone(), ua, auth));
        match st.routes.get_mut(&path) {
            Some(list) if list.len() > 1 => list.remove(0),
            Some(list) => list[0].clone(),
            None => Reply::Full(
                404,
                vec![],
                b"{\"errors\":[{\"detail\":\"Not Found\"}]}".to_vec(),
            ),
        }
    };
    send(conn, reply, inf, max)
}

/// `inf` / `max` count requests in the middle of a [`Reply::Slow`] answer: the client has sent
/// them and is waiting, so the count is the client's concurrency, free of connection teardown.
fn send(
    mut conn: TcpStream,
    reply: Reply,
    inf: &AtomicUsize,
    max: &AtomicUsize,
) -> std::io::Result<()> {
    match reply {
        Reply::Full(status, headers, body) => {
            let mut head = format!(
                "HTTP/1.1 {status} X\r\nContent-Length: {}\r\nConnection: close\r\n",
                body.len()
            );
            for (k, v) in headers {
                head.push_str(&format!("{k}: {v}\r\n"));
            }
            head.push_str("\r\n");
            conn.write_all(head.as_bytes())?;
            conn.write_all(&body)?;
        }
        Reply::Stall(d) => std::thread::sleep(d),
        Reply::Endless => {
            conn.write_all(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n[",
            )?;
            let chunk = vec![b' '; 16 * 1024];
            for _ in 0..4096 {
                conn.write_all(&chunk)?; // fails once the client hangs up
            }
        }
        Reply::Slow(d, inner) => {
            let n = inf.fetch_add(1, Ordering::SeqCst) + 1;
            max.fetch_max(n, Ordering::SeqCst);
            std::thread::sleep(d);
            inf.fetch_sub(1, Ordering::SeqCst);
            send(conn, *inner, inf, max)?;
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
