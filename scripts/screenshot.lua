-- Composes the screenshot scene in a real Neovim (scripts/screenshot.sh): waits for
-- digest-ls diagnostics, opens the hover on an arXiv link (pinned so it stays open),
-- then types in the tags list so the completion menu shows the workspace's tags.
-- Writes "ready <status>" to $DIGEST_LS_SHOT_READY when the scene is on screen.

local ready_file = assert(os.getenv('DIGEST_LS_SHOT_READY'))
local status = {}

local function done()
  local f = assert(io.open(ready_file, 'w'))
  f:write('ready ' .. table.concat(status, ' ') .. '\n')
  f:close()
end

local function note(s)
  status[#status + 1] = s
end

local buf = vim.api.nvim_get_current_buf()
local function client()
  return vim.lsp.get_clients({ bufnr = buf, name = 'digest_ls' })[1]
end

if not vim.wait(15000, function()
  return client() ~= nil and client().initialized
end, 50) then
  note('no-client')
  return done()
end

-- Diagnostics on the front matter (and the workspace index, for completion).
if not vim.wait(10000, function()
  return #vim.diagnostic.get(buf) > 0
end, 50) then
  note('no-diagnostics')
end
vim.wait(1500)

local function find(pattern)
  for i, line in ipairs(vim.api.nvim_buf_get_lines(buf, 0, -1, false)) do
    local s = line:find(pattern)
    if s then
      return i, s - 1
    end
  end
end

-- Hover on the arXiv link, kept open while the cursor moves on.
local lnum, col = find('%[Adam%-Mini%]')
vim.api.nvim_win_set_cursor(0, { lnum, col + 2 })
vim.lsp.buf.hover({ border = 'single', max_width = 84, max_height = 16 })
local hover_win
vim.wait(5000, function()
  for _, w in ipairs(vim.api.nvim_list_wins()) do
    if vim.api.nvim_win_get_config(w).relative ~= '' then
      hover_win = w
      return true
    end
  end
  return false
end, 50)
if hover_win then
  pcall(vim.api.nvim_del_augroup_by_name, 'nvim.preview_window_' .. hover_win)
  pcall(vim.api.nvim_del_augroup_by_name, 'preview_window_' .. hover_win)
  note('hover')
else
  note('no-hover')
end

-- Type a new (empty, so the YAML stays valid) item in the tags list and complete it.
local tl = find('^tags:')
local line = vim.api.nvim_buf_get_lines(buf, tl - 1, tl, false)[1]
vim.api.nvim_win_set_cursor(0, { tl, #line - 1 })
vim.api.nvim_feedkeys(vim.api.nvim_replace_termcodes('i, ""<Left>', true, false, true), 'n', false)

vim.defer_fn(function()
  if vim.fn.pumvisible() == 0 then
    vim.lsp.completion.get()
  end
  vim.defer_fn(function()
    note(vim.fn.pumvisible() == 1 and 'menu' or 'no-menu')
    done()
  end, 1500)
end, 800)
