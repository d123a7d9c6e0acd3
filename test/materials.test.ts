import { materialsOf, classMaterials, materialAgreement } from '../server/pipeline/materials';

describe('materials', () => {
  test('names materials with their percentages and picks the chief one', () => {
    expect(materialsOf('boys t-shirts made of 30% cotton and 70% polyester')).toEqual({
      named: [
        { material: 'man-made fibres', percent: 70 },
        { material: 'cotton', percent: 30 },
      ],
      chief: 'man-made fibres',
    });
    expect(materialsOf('stainless steel bolts').chief).toBe('iron or steel');
    expect(materialsOf('wooden spoon and steel fork').chief).toBeUndefined();
    expect(materialsOf('pet toys from china').named).toEqual([]);
  });

  test('longer names win over the words inside them', () => {
    expect(materialsOf('polyvinyl chloride film').named).toEqual([{ material: 'plastics' }]);
    expect(materialsOf('acrylic fibre sweater').named).toEqual([{ material: 'man-made fibres' }]);
  });

  test('subheading texts: covered and excluded materials', () => {
    const other = classMaterials('T-shirts, singlets and other vests; of textile materials (other than cotton), knitted or crocheted');
    expect([...other.covers]).toEqual([]);
    expect([...other.excludes]).toEqual(['cotton']);
    expect([...classMaterials('T-shirts, singlets and other vests; of cotton, knitted or crocheted').covers]).toEqual(['cotton']);
    const rubber = classMaterials('Rubber; vulcanised (other than hard rubber), articles n.e.c. in heading 4016');
    expect([...rubber.covers]).toEqual(['rubber']);
    expect([...rubber.excludes]).toEqual([]);
  });

  test('agreement: +1 same material, -1 excluded or other material, 0 when silent', () => {
    const cotton = materialsOf('100% cotton sweater');
    expect(materialAgreement(cotton, classMaterials('Jerseys; of cotton, knitted'))).toBe(1);
    expect(materialAgreement(cotton, classMaterials('Jerseys; of man-made fibres, knitted'))).toBe(-1);
    expect(materialAgreement(cotton, classMaterials('Vests; of textile materials (other than cotton)'))).toBe(-1);
    expect(materialAgreement(materialsOf('polyester vest'), classMaterials('Vests; of textile materials (other than cotton)'))).toBe(1);
    expect(materialAgreement(cotton, classMaterials('Sweaters, knitted'))).toBe(0);
    expect(materialAgreement(materialsOf('a sweater'), classMaterials('Jerseys; of cotton'))).toBe(0);
  });
});
