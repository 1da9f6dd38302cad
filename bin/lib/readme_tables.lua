-- Pandoc filter for bin/readme: every table becomes an RST list-table.
--
-- Pandoc writes grid tables whose columns it sizes from the Markdown source, and a
-- word longer than its column is cut across lines ("S equences"). A list-table has no
-- drawn columns: the renderer (GitHub, PyPI, Odoo's app page) lays the words out whole.

local function rst(blocks)
  local text = pandoc.write(pandoc.Pandoc(blocks), "rst", { wrap_text = "wrap-none" })
  text = text:gsub("%s+$", "")
  -- A cell that starts like a list ("-", "+ delete", "1. first") would be read as one
  -- inside the list-table's own bullets: escape its first character.
  if text:match("^[-+*][ \n]") or text:match("^[-+*]$") or text:match("^%d+[.)] ") then
    text = "\\" .. text
  end
  return text
end

local function indented(text, first, rest)
  local lines = {}
  for line in (text .. "\n"):gmatch("(.-)\n") do
    if #lines == 0 then
      table.insert(lines, first .. line)
    elseif line == "" then
      table.insert(lines, "")
    else
      table.insert(lines, rest .. line)
    end
  end
  return table.concat(lines, "\n")
end

local function row_lines(row, out)
  for index, cell in ipairs(row.cells) do
    local bullet = index == 1 and "   * - " or "     - "
    local text = rst(cell.contents)
    table.insert(out, text == "" and (bullet:gsub("%s+$", "")) or indented(text, bullet, "       "))
  end
end

function Table(tbl)
  local out = { ".. list-table::" }
  local head = tbl.head.rows
  if #head > 0 then
    table.insert(out, "   :header-rows: " .. #head)
  end
  table.insert(out, "")
  for _, row in ipairs(head) do
    row_lines(row, out)
  end
  for _, body in ipairs(tbl.bodies) do
    for _, row in ipairs(body.body) do
      row_lines(row, out)
    end
  end
  -- The empty paragraph leaves a blank line after the table: pandoc's RST writer puts
  -- none after a raw block, and a heading right below would be read into the table.
  return { pandoc.RawBlock("rst", table.concat(out, "\n")), pandoc.Para({}) }
end
