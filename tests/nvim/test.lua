-- The Neovim end-to-end test of digest-ls: drives Neovim's own LSP client (started by
-- the editors/neovim plugin from init.lua) on a digest of a temp workspace, and checks
-- diagnostics, tag completion, link hover and incremental edits. Prints one
-- `PASS name` / `FAIL name` line per check; tests/nvim/run.sh counts them.

local workspace = assert(os.getenv('DIGEST_LS_WORKSPACE'), 'DIGEST_LS_WORKSPACE is not set')
local probe = assert(os.getenv('DIGEST_LS_PROBE'), 'DIGEST_LS_PROBE is not set')
local mode = os.getenv('DIGEST_LS_TEST_MODE') or 'enable'
local WAIT = tonumber(os.getenv("DIGEST_LS_WAIT_MS") or "") or 10000

local function out(line)
  -- Start on a fresh line: :checkhealth prints "Running healthchecks..." without one.
  io.stdout:write('\n' .. line .. '\n')
  io.stdout:flush()
end

local failed = 0
local passed = 0
local stop_all = false

--- Runs one named check; an error (from assert or `fail`) marks it failed.
local function check(name, fn)
  if stop_all then
    failed = failed + 1
    out('FAIL ' .. name .. ': skipped, the server is not attached')
    return false
  end
  local ok, err = xpcall(fn, function(e)
    if type(e) == 'table' and e.msg then
      return e.msg
    end
    return debug.traceback(tostring(e), 2)
  end)
  if ok then
    passed = passed + 1
    out('PASS ' .. name)
  else
    failed = failed + 1
    out('FAIL ' .. name .. '\n    ' .. tostring(err):gsub('\n', '\n    '))
  end
  return ok
end

local function fail(fmt, ...)
  error({ msg = string.format(fmt, ...) }, 0)
end

local function expect(cond, fmt, ...)
  if not cond then
    fail(fmt, ...)
  end
end

local function show(v)
  return vim.inspect(v, { newline = ' ', indent = '' })
end

-- ---------------------------------------------------------------- workspace facts

--- Reads the tags and the date of each digest (a minimal front-matter reader, enough
--- for the flow and block lists the fixtures use) to know what completion must offer.
local function read_front_matter(path)
  local f = io.open(path, 'rb')
  if not f then
    return nil
  end
  local text = f:read('*a')
  f:close()
  text = text:gsub('^\239\187\191', ''):gsub('\r\n', '\n')
  local lines = vim.split(text, '\n', { plain = true })
  if lines[1] ~= '---' then
    return nil
  end
  local fm = {}
  for i = 2, #lines do
    if lines[i] == '---' then
      break
    end
    if i == #lines then
      return nil -- unterminated
    end
    fm[#fm + 1] = lines[i]
  end
  local tags, date = nil, nil
  for i, line in ipairs(fm) do
    local d = line:match('^date:%s*["\']?(%d%d%d%d%-%d%d%-%d%d)')
    if d then
      date = d
    end
    local rest = line:match('^tags:%s*(.-)%s*$')
    if rest then
      tags = {}
      if rest:sub(1, 1) == '[' then
        local inner = rest:match('^%[(.*)%]$')
        if not inner then
          return nil
        end
        for item in (inner .. ','):gmatch('%s*(.-)%s*,') do
          local unq = item:match('^"(.*)"$') or item:match("^'(.*)'$") or item
          if unq ~= '' then
            tags[#tags + 1] = unq
          end
        end
      elseif rest == '' then
        for j = i + 1, #fm do
          local item = fm[j]:match('^%s*%-%s+(.-)%s*$')
          if not item then
            break
          end
          tags[#tags + 1] = item:match('^"(.*)"$') or item:match("^'(.*)'$") or item
        end
      else
        return nil -- a scalar: not a list the test relies on
      end
    end
  end
  if not tags or not date then
    return nil
  end
  return { tags = tags, date = date }
end

--- Every tag of the workspace (except the probe's), with how many digests use it and
--- the latest date, in the order completion must give: most used first, then newest.
--- The `exclude` globs of the workspace's digest-ls.toml (files the server skips).
local function excluded_matchers()
  local matchers = {}
  local f = io.open(workspace .. '/digest-ls.toml', 'r')
  if not f then
    return matchers
  end
  local text = f:read('*a')
  f:close()
  local list = text:match('\nexclude%s*=%s*(%b[])') or text:match('^exclude%s*=%s*(%b[])')
  for glob in (list or ''):gmatch('"([^"]+)"') do
    matchers[#matchers + 1] = vim.glob.to_lpeg(glob)
  end
  return matchers
end

local function expected_tags()
  local stats = {}
  local excluded = excluded_matchers()
  local files = vim.fs.find(function(name)
    return name:match('%.md$') ~= nil
  end, { path = workspace, type = 'file', limit = math.huge })
  local function skip(path)
    local base = vim.fs.basename(path):lower()
    if vim.fs.normalize(path) == vim.fs.normalize(probe) or base == 'readme.md' or base == 'changelog.md' then
      return true
    end
    local rel = vim.fs.normalize(path):sub(#vim.fs.normalize(workspace) + 2)
    for _, m in ipairs(excluded) do
      if m:match(rel) then
        return true
      end
    end
    return false
  end
  for _, path in ipairs(files) do
    if not skip(path) then
      local fm = read_front_matter(path)
      if fm then
        local seen = {}
        for _, tag in ipairs(fm.tags) do
          if not seen[tag] then
            seen[tag] = true
            local s = stats[tag] or { tag = tag, count = 0, last = '' }
            s.count = s.count + 1
            if fm.date > s.last then
              s.last = fm.date
            end
            stats[tag] = s
          end
        end
      end
    end
  end
  local list = vim.tbl_values(stats)
  table.sort(list, function(a, b)
    if a.count ~= b.count then
      return a.count > b.count
    end
    if a.last ~= b.last then
      return a.last > b.last
    end
    return a.tag < b.tag
  end)
  return list, stats
end

-- ---------------------------------------------------------------- LSP helpers

local buf, win, client

local function lines()
  return vim.api.nvim_buf_get_lines(buf, 0, -1, false)
end

--- 0-based index of the first line matching `pattern`.
local function find_line(pattern)
  for i, line in ipairs(lines()) do
    if line:find(pattern) then
      return i - 1, line
    end
  end
  fail('no line matches %q in the buffer', pattern)
end

--- 0-based byte column of the `n`-th plain occurrence of `needle` in `line`.
local function nth(line, needle, n)
  local from = 1
  local s
  for _ = 1, n do
    s = line:find(needle, from, true)
    if not s then
      fail('%q does not occur %d times in %q', needle, n, line)
    end
    from = s + 1
  end
  return s - 1
end

local function ours()
  local list = {}
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    if d.source == 'digest-ls' then
      list[#list + 1] = d
    end
  end
  table.sort(list, function(a, b)
    return a.lnum < b.lnum or (a.lnum == b.lnum and a.col < b.col)
  end)
  return list
end

local function describe(diags)
  local s = {}
  for _, d in ipairs(diags) do
    s[#s + 1] = string.format(
      '%s %d:%d-%d:%d %s (%s)',
      vim.diagnostic.severity[d.severity] or '?',
      d.lnum,
      d.col,
      d.end_lnum or -1,
      d.end_col or -1,
      tostring(d.code),
      d.message
    )
  end
  return #s == 0 and '(none)' or table.concat(s, '\n      ')
end

local function with_code(code)
  return vim.tbl_filter(function(d)
    return d.code == code
  end, ours())
end

--- Waits until `pred(diagnostics)` holds; fails with `what` and the diagnostics seen.
local function wait_diagnostics(what, pred)
  local ok = vim.wait(WAIT, function()
    return pred(ours())
  end, 20)
  if not ok then
    fail('%s: not within %d ms; digest-ls diagnostics now:\n      %s', what, WAIT, describe(ours()))
  end
  return ours()
end

--- Whether `d` covers the quoted item whose opening quote is at byte `q` and whose
--- closing quote ends at byte `qe` on line `lnum`: with or without the quotes.
local function covers_item(d, lnum, q, qe)
  return d.lnum == lnum
    and (d.end_lnum == nil or d.end_lnum == lnum)
    and ((d.col == q and d.end_col == qe) or (d.col == q + 1 and d.end_col == qe - 1))
end

local function request(method, params)
  local resp, err = client:request_sync(method, params, 5000, buf)
  if not resp then
    fail('%s: no response (%s)', method, tostring(err))
  end
  if resp.err then
    fail('%s: error %s', method, show(resp.err))
  end
  return resp.result
end

--- Position params at the 0-based byte column `col` of 0-based line `lnum`.
local function position(lnum, col)
  vim.api.nvim_win_set_cursor(win, { lnum + 1, col })
  return vim.lsp.util.make_position_params(win, client.offset_encoding)
end

--- A completion item's text edit, whatever its shape.
local function edit_of(item)
  local te = item.textEdit
  if not te then
    return nil
  end
  if te.range then
    return te
  end
  return { range = te.replace or te.insert, newText = te.newText }
end

local function sorted_items(result)
  local items = result and (result.items or result) or {}
  local indexed = {}
  for i, item in ipairs(items) do
    indexed[i] = { i = i, item = item }
  end
  table.sort(indexed, function(a, b)
    local sa, sb = a.item.sortText or a.item.label, b.item.sortText or b.item.label
    if sa ~= sb then
      return sa < sb
    end
    return a.i < b.i
  end)
  return vim.tbl_map(function(x)
    return x.item
  end, indexed)
end

local function labels(items)
  return vim.tbl_map(function(item)
    return item.label
  end, items)
end

--- Polls completion at (lnum, col) until `pred(items)` holds (the workspace index is
--- built in the background); fails with `what` and the last answer.
local function complete_until(what, lnum, col, pred, want_text)
  local items = {}
  local ok = vim.wait(WAIT, function()
    items = sorted_items(request('textDocument/completion', position(lnum, col)))
    return pred(items)
  end, 200)
  if not ok then
    local shown = vim.tbl_map(function(item)
      return string.format('%s [%s]', item.label, item.detail or '')
    end, items)
    fail('%s: not within %d ms; completion offered:\n      %s', what, WAIT, table.concat(shown, '\n      ') .. (want_text or ''))
  end
  return items
end

local function set_line(lnum, text)
  local old = lines()[lnum + 1]
  vim.api.nvim_buf_set_text(buf, lnum, 0, lnum, #old, { text })
end

local function hover_text(result)
  local c = result and result.contents
  if not c then
    return ''
  end
  if type(c) == 'string' then
    return c
  end
  if c.value then
    return c.value
  end
  local parts = {}
  for _, part in ipairs(c) do
    parts[#parts + 1] = type(part) == 'string' and part or part.value or ''
  end
  return table.concat(parts, '\n')
end

-- ---------------------------------------------------------------- checks

check('the plugin starts digest-ls on the digest and attaches', function()
  vim.cmd.edit(vim.fn.fnameescape(probe))
  buf = vim.api.nvim_get_current_buf()
  win = vim.api.nvim_get_current_win()
  expect(vim.bo[buf].filetype == 'markdown', 'filetype is %q, not markdown', vim.bo[buf].filetype)
  local attached = vim.wait(WAIT, function()
    local c = vim.lsp.get_clients({ bufnr = buf, name = 'digest_ls' })[1]
    return c ~= nil and c.initialized == true
  end, 20)
  if not attached then
    stop_all = true
    local all = vim.lsp.get_clients()
    fail(
      'no initialized digest_ls client on the buffer within %d ms: the server did not start, exited, '
        .. 'or did not answer initialize (clients: %s; the end of the LSP log follows)',
      WAIT,
      show(vim.tbl_map(function(c)
        return { name = c.name, stopped = c:is_stopped() }
      end, all))
    )
  end
  client = vim.lsp.get_clients({ bufnr = buf, name = 'digest_ls' })[1]
  expect(
    vim.fs.normalize(client.root_dir or '') == vim.fs.normalize(workspace),
    'root_dir is %s, expected the workspace %s (root markers)',
    tostring(client.root_dir),
    workspace
  )
  local enc = client.offset_encoding
  expect(enc == 'utf-8' or enc == 'utf-16' or enc == 'utf-32', 'odd position encoding %s', tostring(enc))
  local sync = client.server_capabilities.textDocumentSync
  local change = type(sync) == 'table' and sync.change or sync
  expect(change == 2, 'textDocumentSync.change is %s, expected 2 (incremental)', tostring(change))
end)

if mode == 'setup' then
  check("setup(): settings reach the server (duplicate-tag raised to error)", function()
    local lnum, line = find_line('^tags:')
    local q = nth(line, '"优化"', 2)
    local diags = wait_diagnostics('a duplicate-tag diagnostic', function(d)
      return #vim.tbl_filter(function(x)
        return x.code == 'duplicate-tag'
      end, d) > 0
    end)
    local d = vim.tbl_filter(function(x)
      return x.code == 'duplicate-tag'
    end, diags)[1]
    expect(covers_item(d, lnum, q, q + #'"优化"'), 'duplicate-tag at the wrong place: %s', describe({ d }))
    expect(
      d.severity == vim.diagnostic.severity.ERROR,
      'duplicate-tag has severity %s; settings.severity asked for error',
      vim.diagnostic.severity[d.severity]
    )
  end)
else
  check('diagnostics: a duplicate tag after an emoji, at its exact columns on a CJK line', function()
    local lnum, line = find_line('^tags:')
    local q = nth(line, '"优化"', 2)
    local diags = wait_diagnostics('a duplicate-tag diagnostic', function(d)
      return #vim.tbl_filter(function(x)
        return x.code == 'duplicate-tag'
      end, d) > 0
    end)
    local dup = with_code('duplicate-tag')
    expect(#dup == 1, 'expected one duplicate-tag diagnostic, got:\n      %s', describe(dup))
    expect(
      covers_item(dup[1], lnum, q, q + #'"优化"'),
      'duplicate-tag should cover the second "优化" on line %d (bytes %d-%d, quotes in or out), got:\n      %s',
      lnum,
      q,
      q + #'"优化"',
      describe(dup)
    )
    local loud = vim.tbl_filter(function(d)
      return d.code ~= 'duplicate-tag' and d.severity <= vim.diagnostic.severity.WARN
    end, diags)
    expect(#loud == 0, 'the probe is otherwise clean, but got:\n      %s', describe(loud))
  end)

  check('edits with nvim_buf_set_text (incremental) update the diagnostics', function()
    local lnum, line = find_line('^tags:')
    -- 1. Remove the duplicate (an edit after an emoji and CJK on the same line).
    local s = nth(line, ', "优化"]', 1)
    vim.api.nvim_buf_set_text(buf, lnum, s, lnum, s + #', "优化"', {})
    expect(lines()[lnum + 1] == 'tags: ["🚀 火箭", "优化", "DPO"]', 'unexpected edit result %q', lines()[lnum + 1])
    wait_diagnostics('the duplicate-tag diagnostic to go after removing the duplicate', function(d)
      return #vim.tbl_filter(function(x)
        return x.code == 'duplicate-tag'
      end, d) == 0
    end)

    -- 2. Insert another duplicate before the closing bracket.
    line = lines()[lnum + 1]
    local close = #line - 1
    vim.api.nvim_buf_set_text(buf, lnum, close, lnum, close, { ', "DPO"' })
    line = lines()[lnum + 1]
    local q = nth(line, '"DPO"', 2)
    wait_diagnostics('a duplicate-tag diagnostic on the second "DPO"', function(d)
      return #vim.tbl_filter(function(x)
        return x.code == 'duplicate-tag' and covers_item(x, lnum, q, q + 5)
      end, d) == 1
    end)

    -- 3. Insert a line with CJK and an emoji above: the diagnostic moves down a line.
    vim.api.nvim_buf_set_text(buf, lnum, 0, lnum, 0, { 'description: "描述 🎉 说明"', '' })
    wait_diagnostics('the duplicate-tag diagnostic to move to the next line', function(d)
      return #vim.tbl_filter(function(x)
        return x.code == 'duplicate-tag' and covers_item(x, lnum + 1, q, q + 5)
      end, d) == 1
    end)
    -- ...and back up when the line goes.
    vim.api.nvim_buf_set_text(buf, lnum, 0, lnum + 1, 0, {})
    wait_diagnostics('the duplicate-tag diagnostic to move back up', function(d)
      return #vim.tbl_filter(function(x)
        return x.code == 'duplicate-tag' and covers_item(x, lnum, q, q + 5)
      end, d) == 1
    end)

    -- 4. A date Hugo cannot parse.
    local dl, dline = find_line('^date:')
    local v = #'date: '
    vim.api.nvim_buf_set_text(buf, dl, v, dl, #dline, { '2024/07/05' })
    wait_diagnostics('an invalid-date diagnostic on the date value', function(d)
      return #vim.tbl_filter(function(x)
        return x.code == 'invalid-date' and x.lnum == dl and x.col == v and x.end_col == v + #'2024/07/05'
      end, d) == 1
    end)

    -- 5. Undo both mistakes: the digest is clean again.
    vim.api.nvim_buf_set_text(buf, dl, v, dl, v + #'2024/07/05', { '2024-07-05T19:31:56+08:00' })
    line = lines()[lnum + 1]
    local dup_at = nth(line, ', "DPO"]', 1)
    vim.api.nvim_buf_set_text(buf, lnum, dup_at, lnum, dup_at + #', "DPO"', {})
    wait_diagnostics('no warning or error after undoing the mistakes', function(d)
      return #vim.tbl_filter(function(x)
        return x.severity <= vim.diagnostic.severity.WARN
      end, d) == 0
    end)
  end)

  local expected = expected_tags()
  local want_text = '\n    expected (digests, last date; read from the workspace files):\n      '
    .. table.concat(
      vim.tbl_map(function(s)
        return string.format('%s [%d, %s]', s.tag, s.count, s.last)
      end, expected),
      '\n      '
    )

  check('completion in `tags: []` offers every workspace tag, CJK included, most used first', function()
    expect(#expected >= 3, 'the workspace has too few tags for this check: %s', show(expected))
    local lnum = find_line('^tags:')
    set_line(lnum, 'tags: []')
    local want = vim.tbl_map(function(s)
      return s.tag
    end, expected)
    local items = complete_until('the workspace tags in order', lnum, #'tags: [', function(items)
      return vim.deep_equal(labels(items), want)
    end, want_text)
    local cjk = vim.tbl_filter(function(l)
      return l:find('[\228-\233][\128-\191][\128-\191]') ~= nil
    end, labels(items))
    expect(#cjk > 0, 'no CJK tag offered: %s', show(labels(items)))
  end)

  check('completion after a comma replaces a partly typed CJK tag and skips listed tags', function()
    -- The most used CJK tag other than 优化 (which the list already holds), typed by
    -- its first character only.
    local target
    for _, s in ipairs(expected) do
      if s.tag ~= '优化' and s.tag:find('^[\228-\233][\128-\191][\128-\191]') then
        target = s.tag
        break
      end
    end
    expect(target ~= nil, 'the workspace has no CJK tag besides 优化: %s', show(expected))
    local first = target:sub(1, 3)
    local lnum = find_line('^tags:')
    set_line(lnum, 'tags: ["优化", "' .. first .. '"]')
    local col = nth(lines()[lnum + 1], first, 1) + #first
    local items = complete_until(target .. ' offered, 优化 not', lnum, col, function(items)
      local l = labels(items)
      return vim.list_contains(l, target) and not vim.list_contains(l, '优化')
    end)
    local item = vim.tbl_filter(function(i)
      return i.label == target
    end, items)[1]
    local edit = edit_of(item)
    expect(edit ~= nil, 'the %s item has no textEdit: %s', target, show(item))
    vim.lsp.util.apply_text_edits({ edit }, buf, client.offset_encoding)
    local after = lines()[lnum + 1]
    local want = 'tags: ["优化", "' .. target .. '"]'
    expect(after == want, 'applying the text edit gave %q, expected %q (edit %s)', after, want, show(edit))
  end)

  check('completion in a block list (`  - `) offers the tags most used first', function()
    local lnum = find_line('^tags:')
    local old = lines()[lnum + 1]
    vim.api.nvim_buf_set_text(buf, lnum, 0, lnum, #old, { 'tags:', '  - ' })
    local want = vim.tbl_map(function(s)
      return s.tag
    end, expected)
    complete_until('the workspace tags in order', lnum + 1, #'  - ', function(items)
      return vim.deep_equal(labels(items), want)
    end, want_text)
    vim.api.nvim_buf_set_text(buf, lnum, 0, lnum + 1, #'  - ', { 'tags: ["🚀 火箭", "优化", "DPO"]' })
  end)

  check('hover on an arXiv link shows the paper id, its span and where else it is cited', function()
    local lnum, line = find_line('arxiv%.org/abs/2402%.00658v2')
    local col = nth(line, '论文', 1)
    local result = request('textDocument/hover', position(lnum, col))
    expect(result ~= nil, 'no hover on the link text at line %d col %d', lnum, col)
    local text = hover_text(result)
    expect(text:find('2402.00658', 1, true) ~= nil, 'the hover does not show the arXiv id 2402.00658:\n%s', text)
    expect(text:find('2024-01-12', 1, true) ~= nil, 'the hover does not list the digest of 2024-01-12 that cites the same paper:\n%s', text)
    if result.range then
      local enc = client.offset_encoding
      local r = result.range
      local s = vim.str_byteindex(line, enc, r.start.character, false)
      local e = vim.str_byteindex(line, enc, r['end'].character, false)
      local ls, le = nth(line, '[Adam', 1), nth(line, 'v2)', 1) + #'v2)'
      expect(
        r.start.line == lnum and r['end'].line == lnum and s == ls and e == le,
        'hover range %s is not the link [..](..) (line %d, bytes %d-%d)',
        show(r),
        lnum,
        ls,
        le
      )
    end
  end)
end

check(':checkhealth digest_ls finds the binary and its version', function()
  vim.cmd('checkhealth digest_ls')
  local text = table.concat(vim.api.nvim_buf_get_lines(0, 0, -1, false), '\n')
  vim.cmd('tabclose')
  expect(text:find('digest%-ls') ~= nil, 'no digest-ls section in:\n%s', text)
  expect(text:find('OK found [^\n]*digest%-ls %d') ~= nil, 'no "OK found ... digest-ls <version>" in:\n%s', text)
  expect(text:find('ERROR') == nil, 'errors in :checkhealth digest_ls:\n%s', text)
end)

out(string.format('END %d %d', passed, failed))
vim.cmd(failed == 0 and 'qall!' or 'cquit! 1')
