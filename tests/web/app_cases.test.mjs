// Browser test of the web app's cases that app.test.mjs leaves out, in Debian's headless
// chromium at a phone's size, against the real server. Run by app_cases_driver.cc (ctest
// "web: app cases"), which starts syncserver with two citizens and a ward official and
// afterwards checks on the server's database what this test saw in the app.
//   a. A citizen withdraws a report offline while an official accepts it and syncs: after the
//      citizen's sync the app shows the server's word (parked, for an administrator) in the
//      live region, in the home screen's list of server messages and on the report, which is
//      back as the official left it; "Đã xem" removes the message, also after a reload.
//   b. A withdrawal of a still-new report goes through (gone here and on the server), and a
//      resolved report is reopened with a reason.
//   c. Logout with a change still unsent: the login screen says it waits and for whom; another
//      citizen's login is refused in words. After the first citizen has synced, the second
//      logs in on the same profile and sees only their own reports.
//   axe-core on every new screen state; screenshots app-<state>-<phone|desktop>.png.
// Standalone:
//   node app_cases.test.mjs --url=http://127.0.0.1:PORT --out=DIR --citizen=NAME:PASSWORD \
//        --citizen2=NAME:PASSWORD --official=NAME:PASSWORD [--chromium=/usr/bin/chromium]
// Writes DIR/app_cases.json: {parked, withdrawn, reopened, reason, lan: [titles], minh: [titles]}.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { launchChromium, makeCheck, parseArgs } from './harness.mjs';
import { CODE, PHONE, axeCheck, login, ready, shoot, watchErrors } from './app_helpers.mjs';

const args = parseArgs();
const url = args.url;
const out = args.out ?? '.';
const [citizenName, citizenPassword] = (args.citizen ?? '').split(':');
const [secondName, secondPassword] = (args.citizen2 ?? '').split(':');
const [officialName, officialPassword] = (args.official ?? '').split(':');
const executablePath = args.chromium ?? process.env.Q11_CHROMIUM ?? '/usr/bin/chromium';
if (!url || !citizenName || !secondName || !officialName) {
  console.error('usage: node app_cases.test.mjs --url=URL --out=DIR --citizen=N:P --citizen2=N:P --official=N:P');
  process.exit(2);
}
const app = `${url}/app/`;
const check = makeCheck();
const result = { lan: [], minh: [] };

// ---- helpers (the shared ones are in app_helpers.mjs) ---------------------------------------------------------

async function screen(page, name) {
  await axeCheck(check, page, name);
  await shoot(out, page, name);
}

async function pendingNone(page) {
  await page.getByText('Mọi thay đổi đã gửi').waitFor({ timeout: 30000 });
}

// The link of report `title` in the list of my reports.
function item(page, title) {
  return page.locator('ul.reports').getByRole('link', { name: new RegExp(title) });
}

async function home(page) {
  await page.getByRole('link', { name: /Quay lại danh sách/ }).first().click();
  await page.getByRole('heading', { name: 'Phản ánh của tôi' }).waitFor();
}

// Files a report without photos through the form, from the home screen, and comes back to
// it; returns its receipt code.
async function fileReport(page, title) {
  await page.getByRole('button', { name: 'Gửi phản ánh mới' }).click();
  await page.getByLabel('Lĩnh vực', { exact: true }).selectOption({ label: 'Chiếu sáng công cộng' });
  await page.getByLabel('Phường', { exact: true }).selectOption({ label: 'Phường 4' });
  await page.getByLabel('Tiêu đề', { exact: true }).fill(title);
  await page.getByLabel('Nội dung', { exact: true }).fill(`${title}: đèn đường không sáng.`);
  await page.getByRole('button', { name: 'Gửi phản ánh', exact: true }).click();
  const code = (await page.locator('#receipt-code').textContent()).trim();
  check(CODE.test(code), `"${title}" filed: receipt ${code}`);
  await home(page);
  return code;
}

// The official's app: opens the case `title` from the list and makes `action` (the label in
// "Thao tác"), with `note` and a response template when given; waits for the new status.
async function act(op, title, action, status, { note, template } = {}) {
  if (!(await op.getByRole('heading', { name: new RegExp(title) }).isVisible())) {
    await op.goto(app);
    await ready(op);
    await op.getByRole('link', { name: new RegExp(title) }).click();
    await op.getByRole('heading', { name: new RegExp(title) }).waitFor();
  }
  await op.getByLabel('Thao tác', { exact: true }).selectOption({ label: action });
  if (template) await op.getByLabel('Mẫu trả lời', { exact: true }).selectOption({ label: template });
  if (note) await op.getByLabel('Nội dung trả lời / ghi chú').fill(note);
  await op.getByRole('button', { name: 'Thực hiện' }).click();
  await op.locator(`.facts .badge.status-${status}`).waitFor();
}

// ---- the test -----------------------------------------------------------------------------

let failed = false;
const errors = [];
const citizen = await launchChromium(executablePath, { viewport: PHONE });
const official = await launchChromium(executablePath, { viewport: PHONE });
try {
  const page = citizen.browser.pages()[0] ?? await citizen.browser.newPage();
  watchErrors(page, errors);
  await page.goto(app);
  await ready(page);
  await login(page, citizenName, citizenPassword);
  await page.getByRole('heading', { name: 'Phản ánh của tôi' }).waitFor();
  const T = {
    parked: 'Ca: rút khi cán bộ đã tiếp nhận',
    withdrawn: 'Ca: rút khi còn mới',
    reopened: 'Ca: yêu cầu xử lý lại',
  };
  const codes = {};
  for (const [key, title] of Object.entries(T)) {
    codes[key] = await fileReport(page, title);
    result.lan.push(title);
  }
  result.lan = result.lan.filter((x) => x !== T.withdrawn);  // it will not stay on the server
  await pendingNone(page);

  // The official resolves one report (the citizen's app shows it by itself: live update).
  const op = official.browser.pages()[0] ?? await official.browser.newPage();
  watchErrors(op, errors);
  await op.goto(app);
  await ready(op);
  await login(op, officialName, officialPassword);
  await op.getByRole('heading', { name: 'Hồ sơ của đơn vị' }).waitFor();
  for (const code of Object.values(codes)) await op.getByText(code).waitFor();
  // The server's reference set has a template the app's compiled copy lacks (the driver's
  // folder): offered as soon as the login's sync brought it, without reloading the page.
  await op.getByRole('link', { name: new RegExp(T.reopened) }).click();
  await op.getByRole('heading', { name: new RegExp(T.reopened) }).waitFor();
  await op.getByLabel('Thao tác', { exact: true }).selectOption({ label: 'Bắt đầu xử lý' });
  const offered = await op.getByLabel('Mẫu trả lời', { exact: true }).locator('option').allTextContents();
  check(offered.includes('Hẹn kiểm tra'),
    `the server's new template is offered after the first sync, without a reload (${offered.join(', ')})`);
  await act(op, T.reopened, 'Tiếp nhận', 'accepted', { note: 'Đã tiếp nhận.' });
  await act(op, T.reopened, 'Bắt đầu xử lý', 'in_progress', { template: 'Hẹn kiểm tra' });
  await act(op, T.reopened, 'Báo kết quả', 'resolved', { template: 'Đã xử lý xong' });
  await pendingNone(op);
  await item(page, T.reopened).locator('.badge.status-resolved').waitFor({ timeout: 30000 });
  check(true, 'the official resolved a report; the citizen\'s list shows it');

  // a. Offline, the citizen withdraws two still-new reports through "Rút phản ánh".
  await citizen.browser.setOffline(true);
  await page.getByText('Ngoại tuyến', { exact: true }).waitFor();
  for (const key of ['parked', 'withdrawn']) {
    await item(page, T[key]).click();
    await page.getByRole('heading', { name: T[key] }).waitFor();
    await page.getByRole('button', { name: 'Rút phản ánh' }).click();
    if (key === 'parked') {
      // The first time the citizen thinks better of it: nothing is written.
      check(await page.evaluate(() => document.activeElement.textContent) === 'Xác nhận rút',
        'withdrawing asks first, the focus on the confirmation');
      await page.getByRole('button', { name: 'Không rút' }).click();
      check(await page.getByRole('heading', { name: T[key] }).isVisible() &&
        await page.getByText('Mọi thay đổi đã gửi').isVisible(), '"Không rút" keeps the report; nothing waits to be sent');
      await page.getByRole('button', { name: 'Rút phản ánh' }).click();
    }
    await page.getByRole('button', { name: 'Xác nhận rút' }).click();
    await page.getByRole('heading', { name: 'Phản ánh của tôi' }).waitFor();
    await page.getByText('Đã rút phản ánh.').waitFor();
    check(await item(page, T[key]).count() === 0, `"${T[key]}" withdrawn offline: gone from the list`);
  }
  await page.getByText('2 thay đổi chưa gửi').waitFor();
  check(true, 'the header counts the two withdrawals waiting to be sent');

  // Meanwhile the official accepts one of them, online, and it reaches the server.
  await act(op, T.parked, 'Tiếp nhận', 'accepted', { note: 'Đã tiếp nhận, chuyển đội chiếu sáng.' });
  await pendingNone(op);
  check(true, 'the official accepted it meanwhile (synced)');

  // Online: the withdrawal of the accepted report is parked for an administrator; the app
  // says so in the live region, in the list of server messages, and on the report, which is
  // back as the server has it.
  await citizen.browser.setOffline(false);
  await pendingNone(page);
  const panel = page.locator('section.sync-messages', { has: page.getByRole('heading', { name: 'Thông báo từ máy chủ' }) });
  await panel.waitFor({ timeout: 30000 });
  const panelText = (await panel.innerText()).trim();
  console.log(`# the server's message as listed: ${panelText.replace(/\s+/g, ' ')}`);
  check(/Xung đột chờ quản trị viên: Trong lúc đó phản ánh đã được người khác thay đổi, nên thay đổi của bạn chưa được áp dụng/.test(panelText) &&
    /Chi tiết từ máy chủ: \S.{10,}/.test(panelText), 'the home screen lists the server\'s message, what it means in Vietnamese first, its own words as the detail');
  check(await panel.getByRole('button', { name: 'Đã xem' }).count() === 1, 'one message, with its "Đã xem" button');
  check(await panel.getByRole('link', { name: `${codes.parked} — ${T.parked}` }).isVisible(),
    'it names the report by its receipt code and title, with a link');
  const noticeText = await page.locator('#notice').innerText();
  check(/Đã đồng bộ: gửi 2,.* Máy chủ có 1 thông báo về thay đổi của bạn: xem mục "Thông báo từ máy chủ"/.test(noticeText),
    `the live region says what the sync brought and where to read the server's message (${noticeText.trim()})`);
  await item(page, T.parked).locator('.badge.status-accepted').waitFor({ timeout: 30000 });
  check(await item(page, T.withdrawn).count() === 0,
    'the parked report is back in the list as the official left it ("Đã tiếp nhận"); the other stays withdrawn');
  await screen(page, 'citizen-server-message');
  await item(page, T.parked).click();
  await page.getByRole('heading', { name: T.parked }).waitFor();
  const onReport = page.locator('section.sync-messages', { has: page.getByRole('heading', { name: 'Thông báo đồng bộ' }) });
  await onReport.waitFor();
  check(/Xung đột chờ quản trị viên: Trong lúc đó .*Chi tiết từ máy chủ: \S.{10,}/s.test(await onReport.innerText()), 'the report shows the same message under "Thông báo đồng bộ"');
  check(await page.getByText('Đã tiếp nhận, chuyển đội chiếu sáng.').isVisible(), 'and the official\'s acceptance in its history');
  await screen(page, 'report-server-message');

  // "Đã xem" on the report removes the message there and from the home screen, for good.
  await onReport.getByRole('button', { name: 'Đã xem' }).click();
  await onReport.waitFor({ state: 'detached' });
  check(true, '"Đã xem" removes the message from the report');
  await home(page);
  check(await panel.count() === 0, 'and from the home screen');
  await page.reload();
  await ready(page);
  await item(page, T.parked).waitFor();
  check(await panel.count() === 0, 'still gone after a reload');
  await item(page, T.parked).click();
  await page.getByRole('heading', { name: T.parked }).waitFor();
  check(await onReport.count() === 0, 'also on the report after the reload');
  await home(page);

  // b. Reopening the resolved report: the reason is required, then it goes up.
  await item(page, T.reopened).click();
  await page.getByRole('heading', { name: T.reopened }).waitFor();
  await page.getByRole('button', { name: 'Yêu cầu xử lý lại' }).click();
  check(await page.getByText('Vui lòng nhập lý do yêu cầu xử lý lại.').isVisible(), 'a reopening without a reason is refused in words');
  result.reason = 'Đèn lại tắt sau hai ngày.';
  await page.getByLabel('Lý do yêu cầu xử lý lại').fill(result.reason);
  await page.getByRole('button', { name: 'Yêu cầu xử lý lại' }).click();
  await page.locator('.facts .badge.status-reopened').waitFor();
  await pendingNone(page);
  check(await page.locator('.history').getByText(result.reason).isVisible(), 'the report is reopened, the reason in its history, sent');
  await screen(page, 'report-reopened');
  await home(page);
  Object.assign(result, { parked: T.parked, withdrawn: T.withdrawn, reopened: T.reopened });

  // c. Logout with a change unsent: the login screen says so; another citizen cannot log in.
  await citizen.browser.setOffline(true);
  await page.getByText('Ngoại tuyến', { exact: true }).waitFor();
  const last = 'Ca: gửi sau khi đăng nhập lại';
  await fileReport(page, last);
  result.lan.push(last);
  await page.getByText('1 thay đổi chưa gửi').waitFor();
  await page.getByRole('button', { name: 'Đăng xuất' }).click();
  await page.getByRole('heading', { name: 'Đăng nhập' }).waitFor();
  check((await page.locator('#notice').innerText()).trim() === '', 'logging out clears what the live region said to that user');
  const waiting = page.locator('#pending-after-logout');
  check(/còn 1 thay đổi chưa gửi/.test(await waiting.innerText()) && /đăng nhập lại bằng tài khoản đó/.test(await waiting.innerText()),
    `the login screen says the unsent change waits for that account (${await waiting.innerText()})`);
  await screen(page, 'login-pending');
  await citizen.browser.setOffline(false);
  await login(page, secondName, secondPassword);
  const refusal = page.locator('form .form-error');
  await page.locator('form .form-error:not(:empty)').waitFor();
  const refusalText = await refusal.innerText();
  check(/Chưa đăng nhập được tài khoản khác: máy này còn 1 thay đổi chưa gửi của tài khoản trước/.test(refusalText),
    `another citizen's login is refused in words (${refusalText})`);
  check(await page.getByRole('heading', { name: 'Đăng nhập' }).isVisible(), 'and the login screen stays');
  await screen(page, 'login-other-refused');

  // The first citizen logs in again: the change goes up; then logs out with nothing waiting.
  await login(page, citizenName, citizenPassword);
  await page.getByRole('heading', { name: 'Phản ánh của tôi' }).waitFor();
  await pendingNone(page);
  await item(page, last).locator('.badge.sync-synced').waitFor();
  check(true, 'logged in again, the first citizen\'s change is sent');
  await page.getByRole('button', { name: 'Đăng xuất' }).click();
  await page.getByRole('heading', { name: 'Đăng nhập' }).waitFor();
  check(await waiting.count() === 0, 'nothing waits after that logout: no warning');

  // The second citizen on the same profile sees none of the first one's reports.
  await login(page, secondName, secondPassword);
  await page.getByRole('heading', { name: 'Phản ánh của tôi' }).waitFor();
  await pendingNone(page);
  check(await page.getByText(`${secondName} (Người dân)`).isVisible(), `"${secondName}" is logged in`);
  check(await page.getByText('Bạn chưa gửi phản ánh nào.').isVisible(), 'the second citizen\'s list is empty');
  const mine = 'Ca: phản ánh của người thứ hai';
  await fileReport(page, mine);
  result.minh.push(mine);
  await pendingNone(page);
  for (const p of [page]) {
    await p.reload();
    await ready(p);
    await item(p, mine).waitFor();
    const titles = await p.locator('ul.reports .title').allInnerTexts();
    check(titles.length === 1 && titles[0] === mine, `after a reload the list holds only the second citizen's report (${titles.join(' | ')})`);
    for (const code of Object.values(codes)) check(await p.getByText(code).count() === 0, `the first citizen's ${code} shows nowhere`);
  }
  const leaked = await page.evaluate(async () => {
    const e = await import('/app/engine.js');
    const found = await e.call('q11_report_find_json', JSON.stringify({ search: 'Ca: ' }));
    return found.value.map((r) => r.title);
  });
  check(leaked.length === 1 && leaked[0] === mine, `the engine finds only the second citizen's report (${leaked.join(' | ')})`);
  await screen(page, 'citizen-second-user');
  check(errors.length === 0, `no script errors (${errors.join(' | ')})`);
} catch (e) {
  failed = true;
  console.error(String(e && e.stack ? e.stack : e));
  for (const [who, ctx] of [['citizen', citizen.browser], ['official', official.browser]]) {
    for (const [i, p] of ctx.pages().entries()) {
      await p.screenshot({ path: join(out, `app-cases-failure-${who}-${i}.png`), fullPage: true }).catch(() => {});
      console.error(`${who} page ${i} (${p.url()}):`, (await p.locator('body').innerText().catch(() => '')).slice(0, 800));
    }
  }
  if (errors.length) console.error('page errors:', errors.join('\n'));
} finally {
  writeFileSync(join(out, 'app_cases.json'), JSON.stringify(result, null, 1));
  await official.close().catch(() => {});
  await citizen.close().catch(() => {});
}
process.exit(failed ? 1 : 0);
