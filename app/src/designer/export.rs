//! Getting graphs in and out: JSON in the published schema, and the diagram as SVG or PNG.

use wasm_bindgen::{JsCast, JsValue, closure::Closure};

/// Offers `text` as a file download named `name`.
pub fn download_text(name: &str, mime: &str, text: &str) -> Result<(), JsValue> {
    let parts = js_sys::Array::of1(&JsValue::from_str(text));
    let opts = web_sys::BlobPropertyBag::new();
    opts.set_type(mime);
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &opts)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob)?;
    download_url(name, &url)?;
    web_sys::Url::revoke_object_url(&url)?;
    Ok(())
}

fn download_url(name: &str, url: &str) -> Result<(), JsValue> {
    let doc = web_sys::window()
        .and_then(|w| w.document())
        .ok_or("no document")?;
    let a: web_sys::HtmlAnchorElement = doc.create_element("a")?.dyn_into()?;
    a.set_href(url);
    a.set_download(name);
    a.click();
    Ok(())
}

/// The canvas as a standalone SVG document: the visible world group, with the styles inlined
/// so it renders the same outside the app.
pub fn svg_document() -> Result<String, JsValue> {
    let doc = web_sys::window()
        .and_then(|w| w.document())
        .ok_or("no document")?;
    let svg = doc.query_selector("svg.canvas")?.ok_or("no canvas")?;
    let world = doc
        .query_selector("svg.canvas g.world")?
        .ok_or("no canvas")?;
    let clone: web_sys::Element = world.clone_node_with_deep(true)?.dyn_into()?;
    // Export the whole graph, not the current viewport.
    clone.set_attribute("transform", "translate(40,40)")?;
    let defs = svg
        .query_selector("defs")?
        .map(|d| d.outer_html())
        .unwrap_or_default();
    let (w, h) = bounds(&world);
    Ok(format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\"><style>{}</style>{defs}<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>{}</svg>",
        EXPORT_CSS,
        clone.outer_html()
    ))
}

fn bounds(world: &web_sys::Element) -> (f64, f64) {
    world
        .dyn_ref::<web_sys::SvgElement>()
        .and_then(|_| js_sys::Reflect::get(world, &JsValue::from_str("getBBox")).ok())
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
        .and_then(|f| f.call0(world).ok())
        .map(|b| {
            let n = |k: &str| {
                js_sys::Reflect::get(&b, &JsValue::from_str(k))
                    .ok()
                    .and_then(|v| v.as_f64())
                    .unwrap_or(0.0)
            };
            (
                n("x").max(0.0) + n("width") + 80.0,
                n("y").max(0.0) + n("height") + 80.0,
            )
        })
        .unwrap_or((1200.0, 800.0))
}

/// Downloads the diagram as SVG.
pub fn download_svg(name: &str) -> Result<(), JsValue> {
    download_text(&format!("{name}.svg"), "image/svg+xml", &svg_document()?)
}

/// Downloads the diagram as PNG (the SVG drawn onto a canvas at 2× for sharpness).
pub fn download_png(name: &str) -> Result<(), JsValue> {
    let svg = svg_document()?;
    let doc = web_sys::window()
        .and_then(|w| w.document())
        .ok_or("no document")?;
    let img = web_sys::HtmlImageElement::new()?;
    let parts = js_sys::Array::of1(&JsValue::from_str(&svg));
    let opts = web_sys::BlobPropertyBag::new();
    opts.set_type("image/svg+xml");
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &opts)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob)?;
    let name = format!("{name}.png");
    let img2 = img.clone();
    let url2 = url.clone();
    let onload = Closure::once(move || {
        let result: Result<(), JsValue> = (|| {
            let canvas: web_sys::HtmlCanvasElement = doc.create_element("canvas")?.dyn_into()?;
            let (w, h) = (img2.natural_width() * 2, img2.natural_height() * 2);
            canvas.set_width(w);
            canvas.set_height(h);
            let ctx: web_sys::CanvasRenderingContext2d = canvas
                .get_context("2d")?
                .ok_or("no 2d context")?
                .dyn_into()?;
            ctx.scale(2.0, 2.0)?;
            ctx.draw_image_with_html_image_element(&img2, 0.0, 0.0)?;
            download_url(&name, &canvas.to_data_url_with_type("image/png")?)?;
            web_sys::Url::revoke_object_url(&url2)?;
            Ok(())
        })();
        if let Err(e) = result {
            leptos::logging::error!("PNG export failed: {e:?}");
        }
    });
    img.set_onload(Some(onload.as_ref().unchecked_ref()));
    onload.forget();
    img.set_src(&url);
    Ok(())
}

/// The canvas styles an exported SVG needs (light theme).
const EXPORT_CSS: &str = "
.node .box{fill:#fff;stroke:#94a3b8;stroke-width:1.5}
.node.source .box{stroke:#d97706}.node.function .box{stroke:#2563eb}.node.target .box{stroke:#059669}
.node .icon{fill:#eef2f7}.node .icon-text{font:600 11px system-ui;fill:#334155}
.node .name{font:600 13px system-ui;fill:#0f172a}.node .kind{font:11px system-ui;fill:#64748b}
.handle{fill:#fff;stroke:#64748b}.handle.success{stroke:#16a34a}.handle.failure{stroke:#dc2626}
.edge .hit{display:none}.edge .line{fill:none;stroke:#64748b;stroke-width:2}
.edge.on-success .line{stroke:#16a34a}.edge.on-failure .line{stroke:#dc2626}
.edge.dlq .line{stroke:#d97706;stroke-dasharray:6 4}.edge.invoke .line{stroke:#7c3aed;stroke-dasharray:4 3}
.edge.writes .line{stroke:#94a3b8;stroke-dasharray:2 4}.edge-label{font:10px system-ui;fill:#475569}
.arrowhead{fill:#64748b}.arrowhead.on-success{fill:#16a34a}.arrowhead.on-failure{fill:#dc2626}
.badge circle{fill:#dc2626}.badge.warning circle{fill:#d97706}.badge text{font:600 11px system-ui;fill:#fff}
";
