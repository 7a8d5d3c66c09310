// The buyer's report page: verifies the history bundle embedded in this
// page (#vledger-bundle) with the embedded verifier (VledgerVerify), in
// this browser, and sets the verdict (#verdict, data-verified).
//
// Trust anchors come from the buyer's side only: the page address's
// fragment (#log=KEY&witness=KEY&quorum=N, URL-encoded) or a keys file the
// buyer picks (one key per line, the log key first, then witness keys, an
// optional line `quorum N`). Nothing in the bundle or the page is trusted:
// the key the bundle claims is only shown, marked unverified.
(function () {
  'use strict';
  var byId = function (id) { return document.getElementById(id); };
  var T = JSON.parse(byId('vledger-text').textContent);
  var bundleText = byId('vledger-bundle').textContent;
  var verdict = byId('verdict');

  // The catalogue's placeholders: each {name} replaced once, values never
  // scanned again.
  function fill(template, args) {
    return template.replace(/\{([a-z_]+)\}/g, function (whole, name) {
      return Object.prototype.hasOwnProperty.call(args, name) ? String(args[name]) : whole;
    });
  }

  function show(state, lines) {
    verdict.setAttribute('data-verified', state === 'verified' ? 'true' : 'false');
    verdict.setAttribute('data-state', state);
    while (verdict.firstChild) verdict.removeChild(verdict.firstChild);
    lines.forEach(function (line, i) {
      var p = document.createElement('p');
      p.className = i === 0 ? 'verdict-head' : 'verdict-detail';
      p.textContent = line;
      verdict.appendChild(p);
    });
  }

  // A verifier key's name and key ID: `name+keyid`.
  function fingerprint(vkey) {
    var parts = String(vkey).trim().split('+');
    return parts.length >= 2 ? parts[0] + '+' + parts[1] : String(vkey).trim();
  }

  // The key the bundle's checkpoint names in its first signature line, as
  // `name+keyid`: shown so the buyer can compare, never used to verify.
  function claimedKey() {
    try {
      var lines = String(JSON.parse(bundleText).checkpoint).split('\n');
      for (var i = 0; i < lines.length; i++) {
        var m = /^\u2014 (\S+) (\S+)$/.exec(lines[i]);
        if (m) {
          var raw = atob(m[2]);
          var hex = '';
          for (var j = 0; j < 4 && j < raw.length; j++) {
            hex += ('0' + raw.charCodeAt(j).toString(16)).slice(-2);
          }
          return m[1] + '+' + hex;
        }
      }
    } catch (e) {
      // An unreadable bundle claims nothing; the verifier says why.
    }
    return '?';
  }

  // What the report on this page shows: its VIN, tree size and entries.
  function shown() {
    var entries = Array.prototype.map.call(
      document.querySelectorAll('#timeline [data-entry-index]'),
      function (e) { return e.getAttribute('data-entry-index'); });
    return document.body.getAttribute('data-vin') + ' · ' +
      document.body.getAttribute('data-tree-size') + ' · ' + entries.join(', ');
  }

  // `#log=…&witness=…&witness=…&quorum=N`; `+` stays `+` (keys hold it).
  function fromFragment(hash) {
    var a = { log: null, witnesses: [], quorum: null, source: T.fromFragment, file: false };
    hash.replace(/^#/, '').split('&').forEach(function (pair) {
      var at = pair.indexOf('=');
      if (at < 0) return;
      var name = pair.slice(0, at);
      var value = decodeURIComponent(pair.slice(at + 1)).trim();
      if (value === '') return;
      if (name === 'log') a.log = value;
      else if (name === 'witness') a.witnesses.push(value);
      else if (name === 'quorum') a.quorum = value;
    });
    return a;
  }

  function fromFile(text, name) {
    var a = { log: null, witnesses: [], quorum: null, source: fill(T.fromFile, { name: name }), file: true };
    text.split(/\r?\n/).forEach(function (line) {
      line = line.trim();
      if (line === '' || line.charAt(0) === '#') return;
      var m = /^quorum\s+(\S+)$/.exec(line);
      if (m) a.quorum = m[1];
      else if (a.log === null) a.log = line;
      else a.witnesses.push(line);
    });
    return a;
  }

  function failed(error) {
    show('failed', [fill(T.failed, { error: error }), fill(T.claimedKey, { fingerprint: claimedKey() })]);
  }

  function check(a) {
    if (a.log === null) {
      if (a.file) failed(T.keysFileEmpty);
      else show('none', [T.noAnchors, fill(T.claimedKey, { fingerprint: claimedKey() })]);
      return;
    }
    var options = { logKey: a.log };
    if (a.witnesses.length > 0) options.witnessKeys = a.witnesses;
    if (a.quorum !== null) {
      if (!/^[0-9]+$/.test(a.quorum)) return failed(fill(T.badQuorum, { value: a.quorum }));
      options.quorum = Number(a.quorum);
    }
    var r = VledgerVerify.verifyHistory(bundleText, options);
    if (!r.ok) return failed(r.error.message);
    var got = r.vin + ' · ' + r.treeSize + ' · ' +
      r.records.map(function (x) { return String(x.index); }).join(', ');
    var want = shown();
    if (got !== want) return failed(fill(T.mismatch, { verified: got, shown: want }));
    var lines = [fill(T.verified, {
      records: T.records, vin: r.vin, size: r.treeSize, fingerprint: fingerprint(a.log), source: a.source,
    })];
    var w = r.witnessed;
    if (w !== null && w.checked) {
      var names = w.cosigners
        .filter(function (c) { return c.status === 'cosigned'; })
        .map(function (c) { return c.cosignedAt ? c.name + ' (' + c.cosignedAt + ')' : c.name; });
      lines.push(fill(T.witnessesChecked, {
        cosigned: w.cosigned, total: w.cosigners.length, quorum: w.quorum, names: names.join(T.listSeparator),
      }));
    } else {
      lines.push(T.witnessesNone);
    }
    show('verified', lines);
  }

  function run(anchors) {
    try {
      check(anchors);
    } catch (e) {
      failed(e && e.message ? e.message : String(e));
    }
  }

  run(fromFragment(window.location.hash));
  window.addEventListener('hashchange', function () { run(fromFragment(window.location.hash)); });
  byId('keys-file').addEventListener('change', function (event) {
    var file = event.target.files && event.target.files[0];
    if (!file) return;
    var reader = new FileReader();
    reader.onload = function () { run(fromFile(String(reader.result), file.name)); };
    reader.onerror = function () { failed(String(reader.error)); };
    reader.readAsText(file);
  });
}());
