//! Inline assets of the HTML report: CSS (light, dark and print), hatch
//! patterns for models beyond the eighth colour, and the table sorter.
//! Nothing here may reference the network.

/// Okabe-Ito colours (Okabe & Ito 2008, "Color Universal Design"); black is
/// replaced by grey so that it shows in dark mode too.
pub const CSS: &str = r#"
:root{--bg:#fff;--fg:#1d1d1f;--dim:#5f6368;--line:#d9dce1;--panel:#f6f7f9;--heat:#0072B2;
--c0:#E69F00;--c1:#56B4E9;--c2:#009E73;--c3:#F0E442;--c4:#0072B2;--c5:#D55E00;--c6:#CC79A7;--c7:#8c8c8c;color-scheme:light dark}
@media (prefers-color-scheme:dark){:root{--bg:#16181c;--fg:#e8eaed;--dim:#a0a4aa;--line:#3a3f47;--panel:#1f2228;--heat:#56B4E9;--c4:#3d9be0;--c7:#b0b0b0}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
header,main,footer,nav{max-width:1180px;margin:0 auto;padding:0 24px}
header{padding-top:24px}
h1{font-size:26px;margin:0 0 4px}
h2{font-size:20px;margin:32px 0 8px;padding-top:8px;border-top:1px solid var(--line)}
h3{font-size:15px;margin:20px 0 8px}
h3 small,.note,.sub,.empty,footer{color:var(--dim)}
.sub{margin:0 0 14px}
code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.92em}
.summary{display:grid;grid-template-columns:repeat(auto-fill,minmax(170px,1fr));gap:8px;margin:0 0 12px}
.summary div{background:var(--panel);border:1px solid var(--line);border-radius:8px;padding:8px 12px}
.summary dt{font-size:12px;color:var(--dim)}
.summary dd{margin:0;font-size:18px;font-weight:600;font-variant-numeric:tabular-nums}
.summary .wide{grid-column:span 2}.summary .wide dd{font-size:15px}
.summary dd small{font-size:12px;font-weight:400;color:var(--dim)}
.params ul{margin:6px 0;padding-left:18px}
.warnings{color:#D55E00}
nav{position:sticky;top:0;background:var(--bg);padding-top:8px;padding-bottom:8px;border-bottom:1px solid var(--line);z-index:1}
nav a{color:inherit;margin-right:18px;text-decoration:none;font-weight:600}
nav a:hover{text-decoration:underline}
.toggle{border:0;padding:0;margin:0 0 8px;display:flex;gap:14px;align-items:center}
.toggle legend{float:left;margin-right:8px;color:var(--dim)}
.legend{list-style:none;display:flex;flex-wrap:wrap;gap:4px 16px;padding:0;margin:0 0 8px}
.sw{display:inline-block;width:12px;height:12px;border-radius:2px;margin-right:6px;vertical-align:-1px}
.spend{fill:#9a9a9a;background:#9a9a9a}.m0{fill:var(--c0);background:var(--c0)}.m1{fill:var(--c1);background:var(--c1)}.m2{fill:var(--c2);background:var(--c2)}.m3{fill:var(--c3);background:var(--c3)}
.m4{fill:var(--c4);background:var(--c4)}.m5{fill:var(--c5);background:var(--c5)}.m6{fill:var(--c6);background:var(--c6)}.m7{fill:var(--c7);background:var(--c7)}
.h0{fill:url(#hatch0);background:repeating-linear-gradient(45deg,var(--c0) 0 3px,transparent 3px 6px)}
.h1{fill:url(#hatch1);background:repeating-linear-gradient(45deg,var(--c1) 0 3px,transparent 3px 6px)}
.h2{fill:url(#hatch2);background:repeating-linear-gradient(45deg,var(--c2) 0 3px,transparent 3px 6px)}
.h3{fill:url(#hatch3);background:repeating-linear-gradient(45deg,var(--c3) 0 3px,transparent 3px 6px)}
.h4{fill:url(#hatch4);background:repeating-linear-gradient(45deg,var(--c4) 0 3px,transparent 3px 6px)}
.h5{fill:url(#hatch5);background:repeating-linear-gradient(45deg,var(--c5) 0 3px,transparent 3px 6px)}
.h6{fill:url(#hatch6);background:repeating-linear-gradient(45deg,var(--c6) 0 3px,transparent 3px 6px)}
.h7{fill:url(#hatch7);background:repeating-linear-gradient(45deg,var(--c7) 0 3px,transparent 3px 6px)}
.s0{stroke:var(--c0)}.s1{stroke:var(--c1)}.s2{stroke:var(--c2)}.s3{stroke:var(--c3)}.s4{stroke:var(--c4)}.s5{stroke:var(--c5)}.s6{stroke:var(--c6)}.s7{stroke:var(--c7)}
figure{margin:12px 0}
section{scroll-margin-top:48px}
figcaption{font-weight:600;margin-bottom:4px}
svg{display:block;width:100%;height:auto;font-family:inherit}
svg.heat{max-width:none}
svg text{fill:var(--fg);font-size:12px}
svg .tick,svg .val,svg .dim,svg .axis{fill:var(--dim);font-size:10px}
svg .colhead{font-size:10.5px;font-weight:600}
svg .grid{stroke:var(--line);stroke-width:1}
svg rect[data-bar],svg rect[data-hist],svg rect[data-removal]{stroke:var(--bg);stroke-width:.5}
svg rect[data-bar].cut{stroke:var(--fg);stroke-width:1}
.cell{fill:var(--heat)}
svg .on-dark{fill:#fff;font-size:11px}
svg .on-light{fill:var(--fg);font-size:11px}
@media (prefers-color-scheme:dark){svg .on-dark{fill:#0b0c0e}}
svg .spread{font-size:11px}
.bars{max-width:900px}
.lines{max-width:900px}
.multiples{display:grid;grid-template-columns:repeat(auto-fill,minmax(260px,1fr));gap:12px}
.charts{display:grid;grid-template-columns:1fr;gap:12px}
body:has(#show-conversions:checked) .metric-value{display:none}
body:has(#show-value:checked) .metric-conversions{display:none}
body:has(#show-both:checked) .charts{grid-template-columns:1fr 1fr}
.scroll{overflow-x:auto}
table{border-collapse:collapse;font-variant-numeric:tabular-nums;margin:8px 0}
th,td{padding:4px 10px;border-bottom:1px solid var(--line);text-align:right;white-space:nowrap}
th[scope=row],td.path,thead th:first-child,th.text{text-align:left}
td.path{white-space:normal;min-width:280px}
thead th{position:relative;cursor:pointer;user-select:none;font-size:12px;vertical-align:bottom}
thead th small{font-weight:400;color:var(--dim)}
thead th[aria-sort=ascending]::after{content:" ▲";font-size:9px}
thead th[aria-sort=descending]::after{content:" ▼";font-size:9px}
tfoot th,tfoot td{font-weight:600;border-top:2px solid var(--line)}
tbody tr:hover{background:var(--panel)}
.inbar{display:inline-block;height:9px;background:var(--c4);border-radius:2px;margin-right:6px;vertical-align:0}
table.credit th[scope=row]{white-space:normal;overflow-wrap:anywhere;max-width:240px}
.paths td:nth-child(3){text-align:left}
.hists{display:grid;grid-template-columns:repeat(auto-fit,minmax(380px,1fr));gap:16px}
footer{padding-top:24px;padding-bottom:32px;font-size:12px}
@media print{
:root{--bg:#fff;--fg:#000;--dim:#444;--line:#bbb;--panel:#fff;--heat:#0072B2;--c4:#0072B2;--c7:#8c8c8c}
body{font-size:11px}
nav,.toggle,.note,.params summary::marker{display:none}
.params{display:block}
body .metric-value,body .metric-conversions{display:block!important}
.charts{grid-template-columns:1fr!important}
figure,table,.summary{break-inside:avoid}
h2{break-after:avoid}
.scroll{overflow:visible}
a{color:inherit;text-decoration:none}
}
"#;

/// Hatch patterns referenced by the `.h0`..`.h7` classes (models 9 to 16).
pub const PATTERNS: &str = concat!(
    "<svg width=\"0\" height=\"0\" style=\"position:absolute\" aria-hidden=\"true\"><defs>",
    "<pattern id=\"hatch0\" width=\"4\" height=\"4\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\"><line class=\"s0\" x1=\"0\" y1=\"0\" x2=\"0\" y2=\"4\" stroke-width=\"3\"/></pattern>",
    "<pattern id=\"hatch1\" width=\"4\" height=\"4\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\"><line class=\"s1\" x1=\"0\" y1=\"0\" x2=\"0\" y2=\"4\" stroke-width=\"3\"/></pattern>",
    "<pattern id=\"hatch2\" width=\"4\" height=\"4\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\"><line class=\"s2\" x1=\"0\" y1=\"0\" x2=\"0\" y2=\"4\" stroke-width=\"3\"/></pattern>",
    "<pattern id=\"hatch3\" width=\"4\" height=\"4\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\"><line class=\"s3\" x1=\"0\" y1=\"0\" x2=\"0\" y2=\"4\" stroke-width=\"3\"/></pattern>",
    "<pattern id=\"hatch4\" width=\"4\" height=\"4\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\"><line class=\"s4\" x1=\"0\" y1=\"0\" x2=\"0\" y2=\"4\" stroke-width=\"3\"/></pattern>",
    "<pattern id=\"hatch5\" width=\"4\" height=\"4\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\"><line class=\"s5\" x1=\"0\" y1=\"0\" x2=\"0\" y2=\"4\" stroke-width=\"3\"/></pattern>",
    "<pattern id=\"hatch6\" width=\"4\" height=\"4\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\"><line class=\"s6\" x1=\"0\" y1=\"0\" x2=\"0\" y2=\"4\" stroke-width=\"3\"/></pattern>",
    "<pattern id=\"hatch7\" width=\"4\" height=\"4\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\"><line class=\"s7\" x1=\"0\" y1=\"0\" x2=\"0\" y2=\"4\" stroke-width=\"3\"/></pattern>",
    "</defs></svg>\n"
);

/// Sorts `table.sortable` by a clicked header: numbers by `data-v`, text otherwise.
pub const JS: &str = r#"
(function(){
  document.querySelectorAll('table.sortable').forEach(function(t){
    var heads=t.tHead.rows[0].cells;
    Array.prototype.forEach.call(heads,function(th,i){
      th.tabIndex=0;
      function sort(){
        var body=t.tBodies[0],rows=Array.prototype.slice.call(body.rows);
        var asc=th.getAttribute('aria-sort')!=='ascending';
        Array.prototype.forEach.call(heads,function(h){h.removeAttribute('aria-sort');});
        th.setAttribute('aria-sort',asc?'ascending':'descending');
        rows.sort(function(a,b){
          var x=a.cells[i],y=b.cells[i];
          var r=(x.dataset.v!==undefined&&y.dataset.v!==undefined)?(+x.dataset.v)-(+y.dataset.v):x.textContent.localeCompare(y.textContent);
          return asc?r:-r;
        });
        rows.forEach(function(r){body.appendChild(r);});
      }
      th.addEventListener('click',sort);
      th.addEventListener('keydown',function(e){if(e.key==='Enter'||e.key===' '){e.preventDefault();sort();}});
    });
  });
})();
"#;
