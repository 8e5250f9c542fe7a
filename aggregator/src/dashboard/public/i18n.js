// Labels in Vietnamese and English. The language is chosen by the switch in the top bar,
// remembered in localStorage, and defaults to the browser's language (Vietnamese unless English).

const STRINGS = {
  vi: {
    'app.title': 'camfleet — Trung tâm giám sát camera',
    'nav.overview': 'Tổng quan', 'nav.map': 'Bản đồ', 'nav.cameras': 'Camera', 'nav.alerts': 'Cảnh báo',
    'nav.inventory': 'Kiểm kê', 'nav.audit': 'Nhật ký truy cập', 'nav.sharing': 'Chia sẻ của tôi',
    'session.logout': 'Đăng xuất', 'session.lang': 'English', 'session.token': 'mã API',
    'live.live': 'Trực tiếp', 'live.connecting': 'Đang kết nối…', 'live.off': 'Ngoại tuyến', 'live.unavailable': 'Không có cập nhật trực tiếp',
    'login.title': 'Đăng nhập', 'login.username': 'Tên đăng nhập', 'login.password': 'Mật khẩu', 'login.submit': 'Đăng nhập',
    'login.bad': 'Sai tên đăng nhập hoặc mật khẩu.', 'login.limited': 'Quá nhiều lần thử. Vui lòng đợi rồi thử lại.',
    'login.unavailable': 'Máy chủ này chưa hỗ trợ đăng nhập bằng mật khẩu. Hãy dùng mã API.',
    'login.tokenTitle': 'Đăng nhập bằng mã API', 'login.token': 'Mã API (camfleet-aggregator user token)', 'login.tokenSubmit': 'Dùng mã',
    'login.tokenBad': 'Mã không hợp lệ hoặc đã hết hạn.',
    'state.ok': 'Đang ghi', 'state.offline': 'Mất kết nối', 'state.not-recording': 'Không ghi hình', 'state.unknown': 'Chưa có báo cáo',
    'conf.pass': 'Đạt', 'conf.warn': 'Cảnh báo', 'conf.fail': 'Không đạt', 'conf.none': 'Chưa kiểm tra',
    'overview.title': 'Tổng quan hệ thống', 'overview.total': 'Tổng số camera', 'overview.online': 'Trực tuyến',
    'overview.offline': 'Mất kết nối', 'overview.notRecording': 'Không ghi hình', 'overview.nonConformant': 'Không đạt chuẩn',
    'overview.byArea': 'Theo khu vực', 'overview.bySite': 'Theo điểm lắp đặt', 'overview.group': 'Khu vực / điểm',
    'overview.empty': 'Không có camera nào trong phạm vi của bạn.', 'overview.agents': 'Thiết bị tại điểm (agent)',
    'overview.agentsOnline': 'đang kết nối', 'overview.problems': 'Camera có sự cố',
    'cameras.title': 'Danh sách camera', 'cameras.search': 'Tìm theo tên, mã, điểm, khu vực…', 'cameras.allStates': 'Mọi trạng thái',
    'cameras.allConformance': 'Mọi kết quả chuẩn', 'cameras.allAreas': 'Mọi khu vực', 'cameras.count': '{n} camera', 'cameras.none': 'Không có camera phù hợp.',
    'col.name': 'Tên', 'col.id': 'Mã', 'col.site': 'Điểm', 'col.area': 'Khu vực', 'col.state': 'Trạng thái',
    'col.conformance': 'Chuẩn kỹ thuật', 'col.problem': 'Sự cố', 'col.owner': 'Chủ sở hữu', 'col.time': 'Thời gian',
    'col.kind': 'Loại', 'col.message': 'Nội dung', 'col.actor': 'Người thực hiện', 'col.action': 'Hành động',
    'col.target': 'Đối tượng', 'col.purpose': 'Mục đích', 'col.from': 'Từ', 'col.to': 'Đến', 'col.size': 'Dung lượng',
    'col.status': 'Tình trạng', 'col.grantee': 'Được chia sẻ cho', 'col.scopes': 'Quyền', 'col.until': 'Đến ngày',
    'col.camera': 'Camera', 'col.org': 'Tổ chức', 'col.from2': 'Từ đâu',
    'camera.record': 'Thông tin thiết bị', 'camera.conformance': 'Kết quả kiểm tra chuẩn', 'camera.health': 'Tình trạng theo thời gian',
    'camera.events': 'Sự kiện gần đây', 'camera.clips': 'Đoạn ghi hình', 'camera.requestClip': 'Yêu cầu đoạn ghi hình',
    'camera.request': 'Gửi yêu cầu', 'camera.requested': 'Đã gửi yêu cầu ({status}).', 'camera.play': 'Phát',
    'camera.notFound': 'Không tìm thấy camera này (hoặc bạn không có quyền xem).', 'camera.back': '← Danh sách camera',
    'camera.manufacturer': 'Hãng', 'camera.model': 'Model', 'camera.firmware': 'Firmware', 'camera.serial': 'Số sê-ri',
    'camera.profiles': 'Luồng video', 'camera.standard': 'Tiêu chuẩn', 'camera.checkedAt': 'Kiểm tra lúc',
    'camera.noRecord': 'Chưa có thông tin thiết bị.', 'camera.noConformance': 'Chưa có kết quả kiểm tra.',
    'camera.noEvents': 'Không có sự kiện.', 'camera.noClips': 'Chưa có đoạn ghi hình.', 'camera.noHealth': 'Chưa có số liệu.',
    'camera.snapshot': 'Ảnh chụp', 'camera.address': 'Địa chỉ', 'camera.clock': 'Lệch đồng hồ', 'camera.lastReport': 'Báo cáo gần nhất',
    'camera.noRules': '(chi tiết từng tiêu chí chưa có trên máy chủ)', 'camera.purpose': 'Mục đích xem',
    'camera.purposeWhy': 'Bắt buộc để xem ảnh và đoạn ghi hình; được ghi vào nhật ký truy cập.',
    'camera.needPurpose': 'Chọn mục đích xem để xem ảnh chụp và đoạn ghi hình.', 'camera.badInterval': 'Khoảng thời gian không hợp lệ.',
    'chart.online': 'Trực tuyến', 'chart.recording': 'Đang ghi', 'chart.fps': 'Khung hình/giây',
    'alerts.title': 'Cảnh báo', 'alerts.ack': 'Xác nhận', 'alerts.acked': 'Đã xác nhận bởi {who}', 'alerts.none': 'Không có cảnh báo.',
    'alerts.active': 'Đang xảy ra', 'alerts.all': 'Tất cả', 'alerts.cleared': 'Đã hết', 'alerts.free': 'còn trống',
    'alert.camera_offline': 'Camera mất kết nối', 'alert.not_recording': 'Không ghi hình', 'alert.recording_gap': 'Gián đoạn ghi hình',
    'alert.disk_low': 'Sắp đầy ổ đĩa', 'alert.clock_skew': 'Lệch giờ', 'alert.tamper': 'Camera bị can thiệp', 'alert.non_conformant': 'Không đạt chuẩn',
    'inventory.title': 'Kiểm kê camera', 'inventory.csv': 'Tải CSV', 'inventory.geojson': 'Tải GeoJSON',
    'inventory.text': 'Tải danh sách camera trong phạm vi của bạn.', 'inventory.saved': 'Đã tải {name}.',
    'audit.title': 'Nhật ký truy cập', 'audit.none': 'Không có mục nào.',
    'sharing.title': 'Chia sẻ camera của tôi', 'sharing.myCameras': 'Camera của tôi', 'sharing.grants': 'Đang chia sẻ',
    'sharing.revoke': 'Thu hồi', 'sharing.revoked': 'Đã thu hồi', 'sharing.confirmRevoke': 'Thu hồi quyền chia sẻ này ngay?',
    'sharing.new': 'Chia sẻ mới', 'sharing.grantee': 'Tổ chức nhận', 'sharing.until': 'Đến ngày', 'sharing.scopes': 'Quyền được xem',
    'sharing.purposes': 'Cho các mục đích (không chọn = mọi mục đích)', 'sharing.untilHint': 'để trống = đến khi thu hồi', 'sharing.consent': 'Tôi đồng ý chia sẻ theo điều khoản hiện hành',
    'sharing.create': 'Chia sẻ', 'sharing.none': 'Chưa chia sẻ camera nào.', 'sharing.accessLog': 'Ai đã xem camera của tôi',
    'sharing.forever': 'không thời hạn', 'sharing.scope.health': 'Tình trạng', 'sharing.scope.events': 'Sự kiện',
    'sharing.scope.clips': 'Đoạn ghi hình', 'sharing.scope.snapshots': 'Ảnh chụp',
    'map.title': 'Bản đồ camera', 'map.noLocation': '{n} camera chưa có toạ độ.', 'map.none': 'Không có camera nào có toạ độ.',
    'common.unavailable': 'Chức năng này chưa có trên máy chủ ({path}).', 'common.forbidden': 'Bạn không có quyền xem mục này.',
    'common.error': 'Lỗi: {message}', 'common.loading': 'Đang tải…', 'common.retry': 'Thử lại', 'common.yes': 'Có', 'common.no': 'Không',
    'common.updated': 'Cập nhật lúc {time}', 'common.source.fleet': 'Nguồn: tóm tắt hệ thống (chưa có kiểm kê chi tiết)',
  },
  en: {
    'app.title': 'camfleet — Camera operations centre',
    'nav.overview': 'Overview', 'nav.map': 'Map', 'nav.cameras': 'Cameras', 'nav.alerts': 'Alerts',
    'nav.inventory': 'Inventory', 'nav.audit': 'Audit trail', 'nav.sharing': 'My sharing',
    'session.logout': 'Log out', 'session.lang': 'Tiếng Việt', 'session.token': 'API token',
    'live.live': 'Live', 'live.connecting': 'Connecting…', 'live.off': 'Offline', 'live.unavailable': 'No live updates',
    'login.title': 'Sign in', 'login.username': 'Username', 'login.password': 'Password', 'login.submit': 'Sign in',
    'login.bad': 'Wrong username or password.', 'login.limited': 'Too many attempts. Please wait and try again.',
    'login.unavailable': 'This server does not offer password sign-in yet. Use an API token.',
    'login.tokenTitle': 'Sign in with an API token', 'login.token': 'API token (camfleet-aggregator user token)', 'login.tokenSubmit': 'Use token',
    'login.tokenBad': 'The token is not valid or has expired.',
    'state.ok': 'Recording', 'state.offline': 'Offline', 'state.not-recording': 'Not recording', 'state.unknown': 'No report yet',
    'conf.pass': 'Pass', 'conf.warn': 'Warning', 'conf.fail': 'Fail', 'conf.none': 'Not checked',
    'overview.title': 'Fleet overview', 'overview.total': 'Cameras', 'overview.online': 'Online',
    'overview.offline': 'Offline', 'overview.notRecording': 'Not recording', 'overview.nonConformant': 'Non-conformant',
    'overview.byArea': 'By area', 'overview.bySite': 'By site', 'overview.group': 'Area / site',
    'overview.empty': 'No cameras in your scope.', 'overview.agents': 'Site agents', 'overview.agentsOnline': 'connected',
    'overview.problems': 'Cameras with problems',
    'cameras.title': 'Cameras', 'cameras.search': 'Search name, id, site, area…', 'cameras.allStates': 'All states',
    'cameras.allConformance': 'Any conformance', 'cameras.allAreas': 'All areas', 'cameras.count': '{n} cameras', 'cameras.none': 'No matching cameras.',
    'col.name': 'Name', 'col.id': 'Id', 'col.site': 'Site', 'col.area': 'Area', 'col.state': 'State',
    'col.conformance': 'Standard', 'col.problem': 'Problem', 'col.owner': 'Owner', 'col.time': 'Time',
    'col.kind': 'Kind', 'col.message': 'Message', 'col.actor': 'Who', 'col.action': 'Action',
    'col.target': 'What', 'col.purpose': 'Purpose', 'col.from': 'From', 'col.to': 'To', 'col.size': 'Size',
    'col.status': 'Status', 'col.grantee': 'Shared with', 'col.scopes': 'May see', 'col.until': 'Until',
    'col.camera': 'Camera', 'col.org': 'Organisation', 'col.from2': 'From where',
    'camera.record': 'Device record', 'camera.conformance': 'Conformance check', 'camera.health': 'Health over time',
    'camera.events': 'Recent events', 'camera.clips': 'Clips', 'camera.requestClip': 'Request a clip',
    'camera.request': 'Request', 'camera.requested': 'Request sent ({status}).', 'camera.play': 'Play',
    'camera.notFound': 'No such camera (or you may not see it).', 'camera.back': '← Cameras',
    'camera.manufacturer': 'Manufacturer', 'camera.model': 'Model', 'camera.firmware': 'Firmware', 'camera.serial': 'Serial',
    'camera.profiles': 'Streams', 'camera.standard': 'Standard', 'camera.checkedAt': 'Checked at',
    'camera.noRecord': 'No device record yet.', 'camera.noConformance': 'Not checked yet.',
    'camera.noEvents': 'No events.', 'camera.noClips': 'No clips yet.', 'camera.noHealth': 'No samples yet.',
    'camera.snapshot': 'Snapshot', 'camera.address': 'Address', 'camera.clock': 'Clock offset', 'camera.lastReport': 'Last report',
    'camera.noRules': '(rule-by-rule detail not offered by the server yet)', 'camera.purpose': 'Purpose',
    'camera.purposeWhy': 'Required for snapshots and clips; recorded in the audit trail.',
    'camera.needPurpose': 'Choose a purpose to see snapshots and clips.', 'camera.badInterval': 'That interval is not valid.',
    'chart.online': 'Online', 'chart.recording': 'Recording', 'chart.fps': 'Frames/s',
    'alerts.title': 'Alerts', 'alerts.ack': 'Acknowledge', 'alerts.acked': 'Acknowledged by {who}', 'alerts.none': 'No alerts.',
    'alerts.active': 'Active', 'alerts.all': 'All', 'alerts.cleared': 'Cleared', 'alerts.free': 'free',
    'alert.camera_offline': 'Camera offline', 'alert.not_recording': 'Not recording', 'alert.recording_gap': 'Recording gap',
    'alert.disk_low': 'Disk low', 'alert.clock_skew': 'Clock skew', 'alert.tamper': 'Tampering', 'alert.non_conformant': 'Non-conformant',
    'inventory.title': 'Camera inventory', 'inventory.csv': 'Download CSV', 'inventory.geojson': 'Download GeoJSON',
    'inventory.text': 'Download the cameras in your scope.', 'inventory.saved': 'Downloaded {name}.',
    'audit.title': 'Audit trail', 'audit.none': 'No entries.',
    'sharing.title': 'Sharing my cameras', 'sharing.myCameras': 'My cameras', 'sharing.grants': 'What I share',
    'sharing.revoke': 'Revoke', 'sharing.revoked': 'Revoked', 'sharing.confirmRevoke': 'Revoke this grant now?',
    'sharing.new': 'New grant', 'sharing.grantee': 'Organisation', 'sharing.until': 'Until', 'sharing.scopes': 'May see',
    'sharing.purposes': 'For purposes (none ticked = any purpose)', 'sharing.untilHint': 'empty = until revoked', 'sharing.consent': 'I consent to share under the current terms',
    'sharing.create': 'Share', 'sharing.none': 'Nothing shared.', 'sharing.accessLog': 'Who looked at my cameras',
    'sharing.forever': 'no end date', 'sharing.scope.health': 'Health', 'sharing.scope.events': 'Events',
    'sharing.scope.clips': 'Clips', 'sharing.scope.snapshots': 'Snapshots',
    'map.title': 'Camera map', 'map.noLocation': '{n} cameras have no coordinates.', 'map.none': 'No cameras with coordinates.',
    'common.unavailable': 'Not available on this server yet ({path}).', 'common.forbidden': 'You are not permitted to see this.',
    'common.error': 'Error: {message}', 'common.loading': 'Loading…', 'common.retry': 'Retry', 'common.yes': 'Yes', 'common.no': 'No',
    'common.updated': 'Updated {time}', 'common.source.fleet': 'Source: fleet summary (detailed inventory not available yet)',
  },
};

const LANG_KEY = 'camfleet.lang';
let lang = (() => {
  const saved = localStorage.getItem(LANG_KEY);
  if (saved === 'vi' || saved === 'en') return saved;
  return (navigator.language ?? 'vi').toLowerCase().startsWith('en') ? 'en' : 'vi';
})();

export function currentLang() {
  return lang;
}

export function setLang(value) {
  lang = value === 'en' ? 'en' : 'vi';
  localStorage.setItem(LANG_KEY, lang);
  document.documentElement.lang = lang;
}

/** t('cameras.count', {n: 3}); unknown keys show the key itself so a gap is visible, not blank. */
export function t(key, vars = {}) {
  const s = STRINGS[lang][key] ?? STRINGS.en[key] ?? key;
  return s.replace(/\{(\w+)\}/g, (_, k) => (vars[k] === undefined ? `{${k}}` : String(vars[k])));
}

export const LANGS = Object.keys(STRINGS);
export const _strings = STRINGS; // for the key-parity test
