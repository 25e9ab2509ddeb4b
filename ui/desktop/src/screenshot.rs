//! A picture of what the window shows, taken by WebKit itself (`webkit_web_view_get_snapshot`),
//! so it is the rendered page and not whatever an X server happens to hold. The smoke keeps one
//! of its last page as a CI artefact (`--screenshot FILE`).

use std::path::{Path, PathBuf};

/// Takes a snapshot of the window's visible page, writes it to `path` as PNG, then runs `then`
/// (also when the snapshot failed: a missing picture is reported, not a reason to stop).
pub fn snapshot_then(
    window: &tauri::WebviewWindow,
    path: PathBuf,
    then: impl FnOnce() + Send + 'static,
) {
    #[cfg(target_os = "linux")]
    {
        let asked = window.with_webview(move |webview| {
            use webkit2gtk::{SnapshotOptions, SnapshotRegion, WebViewExt};
            webview.inner().snapshot(
                SnapshotRegion::Visible,
                SnapshotOptions::NONE,
                None::<&webkit2gtk::gio::Cancellable>,
                move |taken| {
                    match taken
                        .map_err(|e| e.to_string())
                        .and_then(|surface| write_png(surface, &path))
                    {
                        Ok(()) => println!("desktop smoke: screenshot {}", path.display()),
                        Err(e) => eprintln!("desktop smoke: no screenshot: {e}"),
                    }
                    then();
                },
            );
        });
        if let Err(e) = asked {
            eprintln!("desktop smoke: no screenshot: {e}");
        }
    }
    #[cfg(not(target_os = "linux"))]
    {
        eprintln!(
            "desktop smoke: screenshots are taken on Linux only, not {}",
            path.display()
        );
        then();
    }
}

/// Cairo's ARGB32 (premultiplied, native-endian words: B, G, R, A bytes on little-endian) as an
/// 8-bit RGBA PNG.
#[cfg(target_os = "linux")]
fn write_png(surface: cairo::Surface, path: &Path) -> Result<(), String> {
    let image = cairo::ImageSurface::try_from(surface).map_err(|_| "not an image surface")?;
    image.flush();
    let (width, height, stride) = (
        image.width() as usize,
        image.height() as usize,
        image.stride() as usize,
    );
    if image.format() != cairo::Format::ARgb32 && image.format() != cairo::Format::Rgb24 {
        return Err(format!("unexpected pixel format {:?}", image.format()));
    }
    let opaque = image.format() == cairo::Format::Rgb24;
    let mut rgba = Vec::with_capacity(width * height * 4);
    image
        .with_data(|data| {
            for row in data.chunks(stride).take(height) {
                for px in row[..width * 4].chunks_exact(4) {
                    let word = u32::from_ne_bytes([px[0], px[1], px[2], px[3]]);
                    let alpha = if opaque { 255 } else { (word >> 24) as u8 };
                    let unpremultiply = |c: u32| -> u8 {
                        match alpha {
                            0 => 0,
                            255 => c as u8,
                            a => ((c * 255 + u32::from(a) / 2) / u32::from(a)).min(255) as u8,
                        }
                    };
                    rgba.extend_from_slice(&[
                        unpremultiply((word >> 16) & 0xff),
                        unpremultiply((word >> 8) & 0xff),
                        unpremultiply(word & 0xff),
                        alpha,
                    ]);
                }
            }
        })
        .map_err(|e| e.to_string())?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    let file = std::fs::File::create(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut encoder = png::Encoder::new(std::io::BufWriter::new(file), width as u32, height as u32);
    encoder.set_color(png::ColorType::Rgba);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header().map_err(|e| e.to_string())?;
    writer
        .write_image_data(&rgba)
        .map_err(|e| format!("{}: {e}", path.display()))
}
