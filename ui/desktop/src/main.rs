//! Kitanetz desktop: the Kita's app. It runs a `kita` node in-process and shows the node's own
//! server-rendered UI in a Tauri 2 webview through the `kitanetz://` custom scheme, so the UI is
//! the same one that city and Träger nodes serve over HTTPS, and no loopback port is opened.
//!
//! Usage: `kitanetz-desktop [--data-dir DIR] [--smoke]`
//! - `--data-dir DIR`: where the node keeps its data (default `$XDG_DATA_HOME/kitanetz`, else
//!   `~/.local/share/kitanetz`). A fresh directory is initialised as a demo Kita.
//! - `--smoke`: open the window, sign in on the login page as the demo Kita lead, wait until the
//!   signed-in start page `/` has rendered, exit 0 (1 on failure or after 60 s). Used by
//!   `tools/desktop-smoke.sh` and CI.
//!
//! Set `KITANETZ_DESKTOP_TRACE=1` to log every request through the scheme to stderr.

mod jar;
mod scheme;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{bail, Context};
use tauri::webview::PageLoadEvent;
use tauri::{WebviewUrl, WebviewWindowBuilder};

use scheme::Served;

/// How long `--smoke` may take before the watchdog fails it.
const SMOKE_TIMEOUT: Duration = Duration::from_secs(60);

/// The path the smoke probe navigates to after a page rendered. The scheme handler
/// answers it itself (only with `--smoke`), so it never reaches the node's router.
const SMOKE_PROBE: &str = "/.desktop-smoke";

struct Args {
    data_dir: PathBuf,
    smoke: bool,
}

fn parse_args() -> anyhow::Result<Args> {
    let mut data_dir = None;
    let mut smoke = false;
    let mut args = std::env::args_os().skip(1);
    while let Some(arg) = args.next() {
        match arg.to_str() {
            Some("--data-dir") => {
                data_dir = Some(PathBuf::from(
                    args.next().context("--data-dir needs a directory")?,
                ))
            }
            Some("--smoke") => smoke = true,
            Some("-h" | "--help") => {
                println!("usage: kitanetz-desktop [--data-dir DIR] [--smoke]");
                std::process::exit(0);
            }
            _ => bail!(
                "unknown argument {arg:?} (usage: kitanetz-desktop [--data-dir DIR] [--smoke])"
            ),
        }
    }
    let data_dir = match data_dir {
        Some(d) => d,
        None => default_data_dir()?,
    };
    Ok(Args { data_dir, smoke })
}

/// The XDG base-directory default, so a Kita PC keeps its node data where backups of the
/// user's data directory will find it.
fn default_data_dir() -> anyhow::Result<PathBuf> {
    if let Some(x) = std::env::var_os("XDG_DATA_HOME").filter(|x| Path::new(x).is_absolute()) {
        return Ok(PathBuf::from(x).join("kitanetz"));
    }
    let home = std::env::var_os("HOME")
        .context("neither XDG_DATA_HOME nor HOME is set; pass --data-dir")?;
    Ok(PathBuf::from(home).join(".local/share/kitanetz"))
}

/// WebKitGTK's GPU paths are the usual cause of a blank Tauri window on Linux: its DMA-BUF
/// renderer misbehaves with some drivers (NVIDIA above all), and accelerated compositing needs a
/// DRM render node that Xvfb, containers, VMs without 3D and remote desktops lack. WebKitGTK 2.50
/// on Debian 12 under Xvfb rendered correctly even without these switches, so they are a guard,
/// not a fix for a failure seen here: the DMA-BUF renderer is always off (a form UI gains
/// nothing from it), and without `/dev/dri` WebKit also renders in software. A value the user
/// set always wins. Must run before any thread starts (environment writes are not thread-safe).
fn configure_webkit_env() {
    #[cfg(target_os = "linux")]
    {
        let no_gpu = !Path::new("/dev/dri").exists();
        let set_default = |key: &str, value: &str| {
            if std::env::var_os(key).is_none() {
                std::env::set_var(key, value);
            }
        };
        // Harmless with a GPU too, and avoids the known blank-window bug with NVIDIA drivers.
        set_default("WEBKIT_DISABLE_DMABUF_RENDERER", "1");
        if no_gpu {
            set_default("WEBKIT_DISABLE_COMPOSITING_MODE", "1");
            set_default("LIBGL_ALWAYS_SOFTWARE", "1");
        }
    }
}

/// What the smoke run has seen so far.
struct SmokeState {
    /// HTML documents served through the scheme, by path (the last answer wins).
    pages: Mutex<Vec<Served>>,
    /// The demo Kita lead's username and password, when the data dir is a demo Kita.
    login: Option<(String, String)>,
    /// Set once the login form has been posted: a second login page means the login failed.
    login_sent: AtomicBool,
}

fn main() {
    configure_webkit_env();
    if let Err(e) = run() {
        eprintln!("kitanetz-desktop: {e:#}");
        std::process::exit(1);
    }
}

fn run() -> anyhow::Result<()> {
    let args = parse_args()?;

    // One runtime for the node and for Tauri's async tasks: two workers are plenty for one
    // user's clicks plus the node's background work, and leave the cores to WebKit.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("kitanetz-node")
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    tauri::async_runtime::set(runtime.handle().clone());

    let router = {
        // The node may spawn background tasks while opening; give it the runtime's context.
        let _guard = runtime.enter();
        open_node(&args.data_dir)?
    };

    let trace = std::env::var_os("KITANETZ_DESKTOP_TRACE").is_some_and(|v| v != "0");
    let smoke = args.smoke.then(|| {
        Arc::new(SmokeState {
            pages: Mutex::default(),
            login: demo_login(&args.data_dir),
            login_sent: AtomicBool::new(false),
        })
    });
    if smoke.is_some() {
        std::thread::spawn(|| {
            std::thread::sleep(SMOKE_TIMEOUT);
            eprintln!(
                "desktop smoke: FAILED, start page not rendered within {} s",
                SMOKE_TIMEOUT.as_secs()
            );
            std::process::exit(1);
        });
    }

    let handle = runtime.handle().clone();
    let jar = Arc::new(jar::CookieJar::default());
    let smoke_for_scheme = smoke.clone();
    let builder = tauri::Builder::default().register_asynchronous_uri_scheme_protocol(
        scheme::SCHEME,
        move |ctx, request, responder| {
            if smoke_for_scheme.is_some() && request.uri().path() == SMOKE_PROBE {
                finish_smoke(ctx.app_handle(), request.uri());
                responder.respond(http::Response::new(Vec::new()));
                return;
            }
            let router = router.clone();
            let jar = jar.clone();
            let smoke = smoke_for_scheme.clone();
            handle.spawn(async move {
                let (response, served) = scheme::serve(router, &jar, request).await;
                if trace {
                    eprintln!(
                        "kitanetz:// {} {} -> {} ({} bytes{})",
                        served.method,
                        served.path,
                        served.status.as_u16(),
                        served.bytes,
                        served
                            .redirect
                            .as_deref()
                            .map(|l| format!(", redirect to {l}"))
                            .unwrap_or_default(),
                    );
                }
                if let Some(smoke) = smoke {
                    if served.is_html() {
                        let mut pages = smoke.pages.lock().expect("smoke lock");
                        pages.retain(|p| p.path != served.path);
                        pages.push(served);
                    }
                }
                responder.respond(response);
            });
        },
    );

    let smoke_for_setup = smoke.clone();
    builder
        .setup(move |app| {
            let mut window = WebviewWindowBuilder::new(
                app,
                "main",
                WebviewUrl::CustomProtocol(scheme::start_url()),
            )
            .title("Kitanetz")
            .inner_size(1280.0, 800.0)
            .min_inner_size(800.0, 600.0);
            if smoke_for_setup.is_some() || trace {
                window = window.on_page_load(move |window, payload| {
                    if trace {
                        eprintln!("page load {:?}: {}", payload.event(), payload.url());
                    }
                    if let Some(smoke) = &smoke_for_setup {
                        if payload.event() == PageLoadEvent::Finished {
                            check_page(&window, smoke, payload.url());
                        }
                    }
                });
            }
            window.build()?;
            Ok(())
        })
        .run(tauri::generate_context!())
        .context("running the desktop app")?;
    Ok(())
}

/// Opens the Kita node in `data_dir` (creating the demo Kita on first start) and returns the
/// router that answers the webview.
fn open_node(data_dir: &Path) -> anyhow::Result<axum::Router> {
    kitanetz_node::demo::init_desktop_kita(data_dir)
        .with_context(|| format!("creating the demo Kita in {}", data_dir.display()))?;
    let node = kitanetz_node::Node::open(data_dir, Arc::new(kitanetz_node::clock::SystemClock))
        .with_context(|| format!("opening the node in {}", data_dir.display()))?;
    Ok(kitanetz_node::http::router(node))
}

/// After a document finished loading. The smoke walks the path a Kita lead takes: the start
/// page redirects to the login page; the login form is filled and posted like a person would;
/// the signed-in start page `/` must then render. Each rendered page is checked from inside the
/// page (through a navigation to [`SMOKE_PROBE`]), which proves WebKit parsed and rendered it
/// rather than only that the router produced bytes.
fn check_page(window: &tauri::WebviewWindow, smoke: &SmokeState, url: &tauri::Url) {
    if url.path() == SMOKE_PROBE {
        return;
    }
    let served = {
        let pages = smoke.pages.lock().expect("smoke lock");
        pages.iter().find(|p| p.path == url.path()).cloned()
    };
    let script = match served {
        // The shell's stand-in for a redirect: the real page is the next load.
        Some(s) if s.redirect.is_some() => return,
        Some(s) if s.status.is_success() && s.path == "/login" => {
            let Some((user, password)) = &smoke.login else {
                fail("the start page asks for a login, but the data dir has no demo Kita login");
            };
            if smoke.login_sent.swap(true, Ordering::SeqCst) {
                fail("the login page came back after signing in");
            }
            println!(
                "desktop smoke: login page rendered (status {}, {} bytes)",
                s.status.as_u16(),
                s.bytes
            );
            format!(
                "document.getElementById('username').value = {}; \
                 document.getElementById('password').value = {}; \
                 document.querySelector('form[action=\"/login\"]').submit()",
                js_string(user),
                js_string(password)
            )
        }
        Some(s) if s.status.is_success() => format!(
            "location.replace('{SMOKE_PROBE}?status={}&bytes={}&path=' + encodeURIComponent(location.pathname) \
             + '&title=' + encodeURIComponent(document.title) \
             + '&h1=' + encodeURIComponent((document.querySelector('h1') || {{}}).textContent || ''))",
            s.status.as_u16(),
            s.bytes
        ),
        Some(s) => fail(&format!(
            "{} answered with status {}",
            s.path,
            s.status.as_u16()
        )),
        // A page that did not come through the router (e.g. an error page) is not the end:
        // wait for the next load or the watchdog.
        None => {
            eprintln!("desktop smoke: page {url} finished but was not served by the router");
            return;
        }
    };
    if let Err(e) = window.eval(script) {
        fail(&format!("could not run a script in the page: {e}"));
    }
}

/// The probe came back from a rendered page: report what it showed and exit.
fn finish_smoke(app: &tauri::AppHandle, uri: &http::Uri) {
    let query = uri.query().unwrap_or("");
    let probe = tauri::Url::parse(&format!("{}://localhost/?{query}", scheme::SCHEME))
        .unwrap_or_else(|e| fail(&format!("bad probe URL {uri}: {e}")));
    let get = |key: &str| {
        probe
            .query_pairs()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default()
    };
    let (status, bytes, path, title, h1) = (
        get("status"),
        get("bytes"),
        get("path"),
        get("title"),
        get("h1"),
    );
    if path != "/" {
        fail(&format!("ended on {path} instead of the start page /"));
    }
    if title.is_empty() || h1.trim().is_empty() {
        fail("the start page rendered without a title or heading");
    }
    println!("desktop smoke: start page rendered (status {status}, {bytes} bytes)");
    println!("desktop smoke: title {title:?}, heading {:?}", h1.trim());
    app.exit(0);
}

fn fail(why: &str) -> ! {
    eprintln!("desktop smoke: FAILED, {why}");
    std::process::exit(1);
}

/// A JavaScript string literal for any text: everything but plain ASCII letters and digits is
/// written as a `\u{..}` escape, so no quote or line break can end the literal early.
fn js_string(s: &str) -> String {
    let mut out = String::from("'");
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        }
    }
    out.push('\'');
    out
}

/// The demo Kita's login, for the smoke only; a data dir that is not a demo Kita has none.
fn demo_login(data_dir: &Path) -> Option<(String, String)> {
    kitanetz_node::demo::desktop_login(data_dir).ok()
}

#[cfg(test)]
mod tests {
    use super::js_string;

    #[test]
    fn js_string_cannot_break_out() {
        assert_eq!(js_string("ab1"), "'ab1'");
        assert_eq!(js_string("a'b\n-ä"), "'a\\u{27}b\\u{a}\\u{2d}\\u{e4}'");
    }
}
