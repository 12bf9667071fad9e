//! moto's server, the AWS APIs on a free port of 127.0.0.1, for one test.
//!
//! `PAYLAKE_MOTO_SERVER` names the `moto_server` program (the test command sets it to the one
//! in its venv); else `moto_server` on the PATH. The venv's Python (beside it) sets up state
//! through boto3 where paylake has no client of its own, e.g. DynamoDB writes.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Moto {
    child: Child,
    program: PathBuf,
    pub port: u16,
}

impl Moto {
    pub fn start() -> Self {
        Self::start_with(&[])
    }

    /// moto's server with the Redshift Data BatchExecuteStatement it lacks, added by
    /// `tests/moto/moto_server_plus.py` (a fake of that one call; see the script).
    pub fn start_with_batch_statements() -> Self {
        let script = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../tests/moto/moto_server_plus.py"
        );
        Self::start_with(&[script])
    }

    /// Starts the server; with `script`, the venv's Python runs it in place of `moto_server`.
    fn start_with(script: &[&str]) -> Self {
        let program = PathBuf::from(
            std::env::var("PAYLAKE_MOTO_SERVER").unwrap_or_else(|_| "moto_server".into()),
        );
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let launcher = if script.is_empty() {
            program.clone()
        } else {
            python_beside(&program)
        };
        let child = Command::new(&launcher)
            .args(script)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|err| {
                panic!("{}: {err}; install moto[server] 5.2 (scripts/test does) or set PAYLAKE_MOTO_SERVER", program.display())
            });
        let moto = Moto {
            child,
            program,
            port,
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        while !moto.answers() {
            assert!(
                Instant::now() < deadline,
                "moto_server did not start on port {port}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        moto
    }

    fn answers(&self) -> bool {
        let Ok(mut stream) = TcpStream::connect(("127.0.0.1", self.port)) else {
            return false;
        };
        let request = format!(
            "GET /moto-api/ HTTP/1.0\r\nHost: 127.0.0.1:{}\r\n\r\n",
            self.port
        );
        let mut response = String::new();
        stream.write_all(request.as_bytes()).is_ok()
            && stream.read_to_string(&mut response).is_ok()
            && response.starts_with("HTTP/1.")
    }

    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Points a command at this server through the standard AWS environment variables.
    pub fn aws_env<'command>(&self, command: &'command mut Command) -> &'command mut Command {
        command
            .env("AWS_ENDPOINT_URL", self.endpoint())
            .env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing")
            .env("AWS_REGION", "us-east-1")
            .env("AWS_ALLOW_HTTP", "true")
    }

    /// The standard AWS configuration, pointed at this server.
    pub async fn sdk_config(&self) -> aws_config::SdkConfig {
        aws_config::defaults(aws_config::BehaviorVersion::latest())
            .endpoint_url(self.endpoint())
            .region(aws_config::Region::new("us-east-1"))
            .credentials_provider(aws_sdk_kinesis::config::Credentials::new(
                "testing", "testing", None, None, "moto",
            ))
            .load()
            .await
    }

    /// Runs a Python snippet with boto3 clients pointed at this server (`boto3` is imported
    /// and `client(name)` returns a client).
    pub fn python(&self, code: &str) -> String {
        let python = python_beside(&self.program);
        let prelude = format!(
            "import boto3\ndef client(name):\n    return boto3.client(name, endpoint_url='{}', region_name='us-east-1', aws_access_key_id='testing', aws_secret_access_key='testing')\n",
            self.endpoint()
        );
        let output = Command::new(&python)
            .arg("-c")
            .arg(format!("{prelude}{code}"))
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "python failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).into_owned()
    }
}

/// The Python of the venv `moto_server` is installed in, else `python3`.
fn python_beside(program: &std::path::Path) -> PathBuf {
    let python = program.with_file_name("python");
    if python.exists() {
        python
    } else {
        PathBuf::from("python3")
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
