//! Getting graphs in and out: JSON in the published schema, and the diagram as SVG or PNG.

use super::canvas::{Handle, edge_class, handle_point};
use super::editor::{NODE_H, NODE_W, edge_curve};
use wasm_bindgen::{JsCast, JsValue, closure::Closure};
use wiring::{
    Graph,
    catalog::{self, Family},
    ids::NodeId,
    model::Point,
};

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

/// The whole graph as a standalone SVG document, drawn from the graph itself rather than
/// copied from the screen: the canvas only holds what is in view (and, zoomed out, no
/// labels), while an export must show every node and edge, labelled, at full detail.
pub fn svg_document(graph: &Graph) -> String {
    let pos = |id: &NodeId| graph.layout.get(id).copied().unwrap_or_default();
    let (mut x0, mut y0, mut x1, mut y1) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
    for id in graph.nodes.keys() {
        let p = pos(id);
        (x0, y0) = (x0.min(p.x), y0.min(p.y));
        (x1, y1) = (x1.max(p.x + NODE_W), y1.max(p.y + NODE_H));
    }
    if graph.nodes.is_empty() {
        (x0, y0, x1, y1) = (0.0, 0.0, 0.0, 0.0);
    }
    let pad = 40.0;
    let (w, h) = (x1 - x0 + 2.0 * pad, y1 - y0 + 2.0 * pad);
    let mut out = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w:.0}\" height=\"{h:.0}\" viewBox=\"0 0 {w:.0} {h:.0}\"><title>{}</title><style>{EXPORT_CSS}</style><defs>",
        escape(&format!(
            "{} nodes, {} edges",
            graph.nodes.len(),
            graph.edges.len()
        ))
    );
    for class in [
        "trigger",
        "on-success",
        "on-failure",
        "dlq",
        "invoke",
        "writes",
    ] {
        out.push_str(&format!(
            "<marker id=\"arrow-{class}\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\"><path class=\"arrowhead {class}\" d=\"M0,0 L10,5 L0,10 z\"/></marker>"
        ));
    }
    out.push_str(&format!(
        "</defs><rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/><g transform=\"translate({:.1},{:.1})\">",
        pad - x0,
        pad - y0
    ));
    for (id, e) in &graph.edges {
        let (Some(_), Some(_)) = (graph.nodes.get(&e.from), graph.nodes.get(&e.to)) else {
            continue;
        };
        let (a, t) = (pos(&e.from), pos(&e.to));
        let (d, mid) = edge_curve(
            handle_point(a, Handle::of(e.kind.edge_type())),
            Point {
                x: t.x - 2.0,
                y: t.y + NODE_H / 2.0,
            },
        );
        let class = edge_class(&e.kind);
        out.push_str(&format!(
            "<g class=\"edge {class}\" data-edge=\"{}\"><path class=\"line\" marker-end=\"url(#arrow-{class})\" d=\"{d}\"/><text class=\"edge-label\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text></g>",
            escape(id.as_str()),
            mid.x,
            mid.y - 6.0,
            escape(e.kind.edge_type().label())
        ));
    }
    for (id, n) in &graph.nodes {
        let p = pos(id);
        let entry = catalog::of(n);
        let family = match entry.family {
            Family::Source => "source",
            Family::Function => "function",
            Family::Target => "target",
        };
        out.push_str(&format!(
            "<g class=\"node {family}\" data-node=\"{}\" transform=\"translate({:.1},{:.1})\"><rect class=\"box\" width=\"{NODE_W}\" height=\"{NODE_H}\" rx=\"10\"/><rect class=\"icon\" x=\"8\" y=\"10\" width=\"38\" height=\"38\" rx=\"8\"/><text class=\"icon-text\" x=\"27\" y=\"34\" text-anchor=\"middle\">{}</text><text class=\"name\" x=\"56\" y=\"26\">{}</text><text class=\"kind\" x=\"56\" y=\"44\">{}</text></g>",
            escape(id.as_str()),
            p.x,
            p.y,
            escape(entry.icon),
            escape(&short(n.name())),
            escape(entry.label)
        ));
    }
    out.push_str("</g></svg>");
    out
}

fn short(name: &str) -> String {
    if name.chars().count() > 24 {
        format!("{}…", name.chars().take(23).collect::<String>())
    } else {
        name.to_owned()
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Downloads the diagram as SVG.
pub fn download_svg(name: &str, graph: &Graph) -> Result<(), JsValue> {
    download_text(
        &format!("{name}.svg"),
        "image/svg+xml",
        &svg_document(graph),
    )
}

/// Downloads the diagram as PNG (the SVG drawn onto a canvas at 2× for sharpness).
pub fn download_png(name: &str, graph: &Graph) -> Result<(), JsValue> {
    let svg = svg_document(graph);
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

/// The styles an exported SVG needs (light theme).
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
