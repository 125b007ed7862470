//! The mock agent's shell: a line editor that echoes what it is typed, and a few commands:
//! `echo TEXT`, `stty size` (the size the client last sent), `exit N`, and `drop` (the
//! gateway breaks the connection, as a network blip would).

pub enum Action {
    Output(Vec<u8>),
    Exit(i32),
    Drop,
}

#[derive(Default)]
pub struct Shell {
    line: Vec<u8>,
    /// (cols, rows).
    pub size: (u32, u32),
}

pub const PROMPT: &[u8] = b"$ ";

impl Shell {
    pub fn input(&mut self, bytes: &[u8]) -> Vec<Action> {
        let mut echo = Vec::new();
        let mut out = Vec::new();
        for &b in bytes {
            match b {
                b'\r' | b'\n' => {
                    echo.extend_from_slice(b"\r\n");
                    let line = String::from_utf8_lossy(&std::mem::take(&mut self.line)).to_string();
                    let (text, action) = self.run(line.trim());
                    echo.extend_from_slice(&text);
                    if let Some(a) = action {
                        out.push(Action::Output(std::mem::take(&mut echo)));
                        out.push(a);
                    }
                }
                0x7f => {
                    if self.line.pop().is_some() {
                        echo.extend_from_slice(b"\x08 \x08");
                    }
                }
                0x03 => {
                    self.line.clear();
                    echo.extend_from_slice(b"^C\r\n$ ");
                }
                b => {
                    self.line.push(b);
                    echo.push(b);
                }
            }
        }
        if !echo.is_empty() {
            out.push(Action::Output(echo));
        }
        out
    }

    fn run(&mut self, line: &str) -> (Vec<u8>, Option<Action>) {
        let (cmd, arg) = line.split_once(' ').unwrap_or((line, ""));
        match cmd {
            "" => (PROMPT.to_vec(), None),
            "echo" => (format!("{arg}\r\n$ ").into_bytes(), None),
            "stty" if arg == "size" => (
                format!("{} {}\r\n$ ", self.size.1, self.size.0).into_bytes(),
                None,
            ),
            "exit" => (
                Vec::new(),
                Some(Action::Exit(arg.trim().parse().unwrap_or(0))),
            ),
            "drop" => (PROMPT.to_vec(), Some(Action::Drop)),
            other => (format!("sh: {other}: not found\r\n$ ").into_bytes(), None),
        }
    }
}
