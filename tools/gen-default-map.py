#!/usr/bin/env python3
"""Generate etc/register-map.csv (the default register map) from the
reference product's register table. Run once by hand when the naming
scheme changes; the result is committed and checked against the
reference by tests/unit/test-default-map.c."""
import csv, re, sys

ref = sys.argv[1]
out = sys.argv[2]

GROUP_PREFIX = {
    'BMS': 'bms', 'ChargerInfo': 'info', 'Authorization': 'authorize',
    'StartTransaction': 'start', 'StopTransaction': 'stop',
    'CancelReservation': 'cancel_reservation', 'ClearCache': 'clear_cache',
    'ClearChargingProfile': 'clear_charging_profile',
    'GetLocalListVersion': 'get_local_list_version', 'ReserveNow': 'reserve_now',
    'Reset': 'reset', 'SendLocalList': 'send_local_list',
    'TriggerMessage': 'trigger_message', 'RemoteStartTransaction': 'remote_start',
    'RemoteStopTransaction': 'remote_stop', 'Connector': 'connector',
    'CurrentTransaction': 'transaction',
}
SIGNAL = {
    'Heartbeat': 'heartbeat', 'SECOND': 'clock.second', 'MINUTE': 'clock.minute',
    'HOUR': 'clock.hour', 'DAY': 'clock.day', 'MONTH': 'clock.month', 'YEAR': 'clock.year',
    'Charger Communication status': 'comm_status',
    'Charge Box Serial Number': 'charge_box_serial',
    'Charge Point Serial Number': 'charge_point_serial',
    'Charge Point Vendor': 'vendor', 'Charge Point Model': 'model',
    'Id Tag Authorization': 'id_tag', 'Id Tag': 'id_tag',
    'Parent Id Tag': 'parent_id_tag', 'Expiration Date': 'expiry_date',
    'Authorization result': 'status', 'Authorization Status': 'status',
    'Connector ID': 'connector_id', 'Meter Value': 'meter', 'Reservation ID': 'reservation_id',
    'Timestamp': 'timestamp', 'Transaction ID': 'transaction_id', 'Reason': 'reason',
    'Result': 'result', 'Result of the request': 'result', 'Status': 'result',
    'Profile ID': 'profile_id', 'Charging Profile Purpose': 'purpose',
    'Stack Level': 'stack_level', 'Version': 'version', 'Operation': 'operation',
    'Requested Message': 'requested_message', 'Unlock Connector': 'unlock',
    'Availability': 'availability', 'Error Code': 'error_code',
    'Meter Value on Start': 'meter_start',
}
# Off by default so that 20 chargers fit the 10,000-signal limit: rarely
# used measurands (rotation speed, interval energies).
DISABLED = re.compile(r'^(RPM|Energy\.\w+\.\w+\.Interval)')

def point_name(r):
    g, s, b = r['group'], r['signal'], r['block']
    if b == 'global':
        return 'bms.' + SIGNAL[s]
    if b == 'charger':
        if re.search(r'\bFlag$', s):
            leaf = 'flag'
        elif re.search(r'[Pp]rocessed$', s):
            leaf = 'processed'
        else:
            leaf = SIGNAL[s]
        return 'charger.{xx}.%s.%s' % (GROUP_PREFIX[g], leaf)
    base = 'charger.{xx}.connector.{yy}'
    if g == 'CurrentTransaction':
        return '%s.transaction.%s' % (base, SIGNAL[s])
    if s == 'Status':
        return base + '.status'
    if s in SIGNAL:
        return '%s.%s' % (base, SIGNAL[s])
    m = re.match(r'^(L[123])(-N)? (.+)$', s)
    if m:
        phase = m.group(1).lower() + ('_n' if m.group(2) else '')
        return '%s.meter.%s.%s' % (base, measurand(m.group(3)), phase)
    if s.endswith('.Units'):
        return '%s.meter.%s.unit' % (base, measurand(s[:-6]))
    return '%s.meter.%s' % (base, measurand(s))

def measurand(m):
    return m.replace('.', '_').lower()

rows = list(csv.DictReader(open(ref)))
with open(out, 'w', newline='') as f:
    f.write('''# gatewayd register map, format 1 (see docs/modbus.md)
#
# Drop-in for the reference product's map (Intesis INMBSOCP0200100, guide
# Appendix 2). Addresses are 0-based register numbers.
#
# @block NAME base=N [parent=BLOCK] [stride=N] [count=N] [var=NAME]
#   address of a row = base (+ parent's address) + stride * index + offset
# @group BLOCK NAME FIRST LAST
#   offsets FIRST..LAST of BLOCK belong to the map; those without a row read 0
# Rows: block,offset,registers,format,access,enabled,point,group,values,modes
#   format: Integer (1 register), Float (2), DateTime (2), String (N)
#   access: R, W, RW, from the BMS's view
#   enabled: yes/no - a disabled row has no point and answers exception 02
#   point: point name template; {xx} charger index, {yy} connector block
#   values: enumeration code=name;... (writes outside it answer exception 03)
#   modes: bms (gateway is the Central System), bridge (relay), or both
@block global base=0
@block charger base=100 stride=2000 count=20 var=xx
@block connector parent=charger base=512 stride=100 count=8 var=yy
# gatewayd extension: one register per connector block with its current
# transaction id (RemoteStop needs it; StartTransaction's offset 128 is
# overwritten by the next start). The reference's connector block has no
# unused offset, so this block sits right after the eight connector blocks,
# in a range the reference leaves unused: address 1412 + 2000*xx + yy.
@block transaction_id parent=charger base=1312 stride=1 count=8 var=yy
''')
    for line in open(ref.replace('register-map', 'register-groups')).read().splitlines()[1:]:
        b, g, a, z = line.split(',')
        f.write('@group %s %s %s %s\n' % (b, g, a, z))
    f.write('@group transaction_id CurrentTransactionId 0 0\n')
    w = csv.writer(f, lineterminator='\n')
    w.writerow(['block', 'offset', 'registers', 'format', 'access', 'enabled',
                'point', 'group', 'values', 'modes'])
    for r in rows:
        en = 'no' if DISABLED.match(r['signal']) else 'yes'
        values = r['values'] if '=' in r['values'] else ''
        if r['group'] == 'ReserveNow' and r['offset'] == '323':
            # gatewayd extension: OCPP's ReservationStatus also has
            # Unavailable, which the reference's list lacks
            values = '0=Accepted;1=Rejected;7=Unavailable;8=Faulted;9=Occupied'
        w.writerow([r['block'], r['offset'], r['registers'], r['format'], r['access'],
                    en, point_name(r), r['group'], values, r['modes'].replace(',', ' ')])
        if r['group'] == 'Reset' and r['offset'] == '326':
            # gatewayd extension: the reference has no reset type register
            w.writerow(['charger', '327', '1', 'Integer', 'W', 'yes',
                        'charger.{xx}.reset.type', 'Reset', '0=Soft;1=Hard', 'bms'])
    # gatewayd extension (see @block transaction_id): 0 when no transaction
    w.writerow(['transaction_id', '0', '1', 'Integer', 'R', 'yes',
                'charger.{xx}.connector.{yy}.transaction.id', 'CurrentTransactionId', '', 'bms'])
