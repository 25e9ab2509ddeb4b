// The portal's map: an enhancement over the result table (which lists everything without it).
// Markers come from a JSON data block; tiles only when the city configured a tile server.
(function () {
  function init() {
    var el = document.getElementById('kn-map');
    var data = document.getElementById('kn-map-data');
    if (!el || !data || typeof L === 'undefined') return;
    var parsed;
    try { parsed = JSON.parse(data.textContent); } catch (e) { return; }
    var points = parsed.points || [];
    if (!points.length) return;
    el.hidden = false;
    var map = L.map(el, { scrollWheelZoom: false });
    var tiles = el.getAttribute('data-tiles');
    if (tiles) {
      L.tileLayer(tiles, { maxZoom: 18, attribution: el.getAttribute('data-attribution') || '' }).addTo(map);
    }
    var bounds = [];
    points.forEach(function (p) {
      var link = document.createElement('a');
      link.href = p.href;
      link.textContent = p.name;
      var popup = document.createElement('div');
      popup.appendChild(link);
      popup.appendChild(document.createElement('br'));
      popup.appendChild(document.createTextNode(p.free));
      var marker = L.marker([p.lat, p.lon], { title: p.name, alt: p.name, keyboard: true });
      marker.bindPopup(popup).addTo(map);
      bounds.push([p.lat, p.lon]);
    });
    var origin = parsed.origin;
    if (origin) {
      // The searched address and the radius around it.
      L.circleMarker([origin.lat, origin.lon], { radius: 7, color: '#a1131c', weight: 3, fillOpacity: 0.9 })
        .bindTooltip(document.createTextNode(origin.label || '')).addTo(map);
      if (origin.radius_m) {
        L.circle([origin.lat, origin.lon], { radius: origin.radius_m, color: '#0f4fa8', weight: 1, fillOpacity: 0.05 }).addTo(map);
        // The circle's box, in degrees (the map has no projection before its first view).
        var dLat = origin.radius_m / 111320;
        var dLon = dLat / Math.cos(origin.lat * Math.PI / 180);
        bounds.push([origin.lat - dLat, origin.lon - dLon], [origin.lat + dLat, origin.lon + dLon]);
      }
      bounds.push([origin.lat, origin.lon]);
    }
    map.fitBounds(bounds, { padding: [24, 24], maxZoom: 15 });
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
})();
